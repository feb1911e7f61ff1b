"""The unseen_tasks notebook runs end to end with papermill in the smoke preset."""

import pandas as pd


def test_unseen_tasks_notebook_smoke(run_notebook, check_figure_and_record):
    d = run_notebook("unseen_tasks")
    df = pd.read_csv(d["results"] / "unseen_tasks.csv")
    cols = ["method", "setting", "part", "object", "count_mean", "count_sem", "n_lifetimes"]
    assert set(cols) <= set(df.columns)
    assert len(df) == 3 * 2 * 2 * 2
    assert set(df["part"]) == {"first_half", "second_half"}
    assert set(df["object"]) == {"heart", "trap"}
    # no more objects than steps in that half
    half = df["lifetime"] // 2
    assert ((df["count_mean"] >= 0) & (df["count_mean"] <= half)).all()
    rnd = df[df["method"] == "random"]
    assert rnd["count_mean"].sum() > 0  # a random walk on a small grid meets objects
    check_figure_and_record(d, "unseen_tasks")
