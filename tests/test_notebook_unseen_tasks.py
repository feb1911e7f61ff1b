"""The unseen_tasks notebook runs end to end with papermill in the smoke preset."""

import pandas as pd
import pytest

from symla_lite import verdict


@pytest.mark.heavy
def test_unseen_tasks_notebook_smoke(run_notebook, check_figure_and_record):
    d = run_notebook("unseen_tasks")
    df = pd.read_csv(d["results"] / "unseen_tasks.csv")
    cols = ["method", "seed", "setting", "part", "object", "count_mean", "count_sem", "n_lifetimes"]
    assert set(cols) <= set(df.columns)
    assert len(df) == (2 * 3 + 1) * 2 * 2 * 2
    assert set(df["part"]) == {"first_half", "second_half"}
    assert set(df["object"]) == {"heart", "trap"}
    # per-seed rows: 3 meta-training seeds per method, the random policy without one
    for method in ("symla", "metarnn"):
        sub = df[df["method"] == method]
        assert sub["seed"].notna().all() and sub["seed"].nunique() == 3
        assert (sub.groupby(["setting", "part", "object"])["seed"].nunique() == 3).all()
    assert df[df["method"] == "random"]["seed"].isna().all()
    # no more objects than steps in that half
    half = df["lifetime"] // 2
    assert ((df["count_mean"] >= 0) & (df["count_mean"] <= half)).all()
    rnd = df[df["method"] == "random"]
    assert rnd["count_mean"].sum() > 0  # a random walk on a small grid meets objects
    hist = pd.read_csv(d["results"] / "unseen_tasks_training.csv")
    assert set(hist["seed"]) == {0, 1, 2} and set(hist["method"]) == {"symla", "metarnn"}
    claims = pd.read_csv(d["results"] / "unseen_tasks_claims.csv")
    assert list(claims.columns) == list(verdict.COLUMNS)
    assert (claims["experiment"] == "unseen_tasks").all() and len(claims) == 3
    assert (claims["preset"] == "smoke").all() and (claims["n_seeds"] >= 3).all()
    assert set(claims["verdict"]) <= set(verdict.VERDICTS)
    names = " | ".join(claims["claim"])
    for what in ("MetaRNN overfits", "SymLA adapts", "SymLA meta-learns"):
        assert what in names
    check_figure_and_record(d, "unseen_tasks")
