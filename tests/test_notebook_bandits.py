"""The bandits notebook runs end to end with papermill in the smoke preset."""

import numpy as np
import pandas as pd
import papermill
import pytest

N_TEST = 2000


def test_bandits_notebook_smoke(run_notebook):
    dists = ["uniform_dependent", "hard_dependent"]
    d = run_notebook(
        "bandits", dists=dists, n_test=N_TEST, more_arms=[2, 3], unseen_reduces=["sum"]
    )
    base = pd.read_csv(d["results"] / "bandits_baselines.csv")
    cols = [
        "method",
        "test_dist",
        "num_arms",
        "horizon",
        "regret_mean",
        "regret_sem",
        "n_lifetimes",
    ]
    assert set(cols) <= set(base.columns)
    assert len(base) == 4 * len(dists)
    assert (base["n_lifetimes"] == N_TEST).all() and (base["num_arms"] == 2).all()
    assert np.isfinite(base["regret_mean"]).all() and (base["regret_sem"] > 0).all()
    for dist in dists:
        b = base[base["test_dist"] == dist].set_index("method")["regret_mean"]
        assert b["bayes_optimal"] < b["thompson"] < b["random"]
    bo = base[base["method"] == "bayes_optimal"]
    assert (np.abs(bo["regret_mean"] - bo["regret_exact"]) < 5 * bo["regret_sem"]).all()

    tr = pd.read_csv(d["results"] / "bandits_transfer.csv")
    cols = ["method", "train_dist", "test_dist", "num_arms", "horizon"]
    cols += ["regret_mean", "regret_sem", "n_lifetimes", "preset"]
    assert set(cols) <= set(tr.columns)
    assert len(tr) == 2 * len(dists) ** 2 and (tr["preset"] == "smoke").all()
    assert np.isfinite(tr["regret_mean"]).all()
    horizon = int(base["horizon"].iloc[0])
    assert (tr["regret_mean"] >= 0).all() and (tr["regret_mean"] <= horizon).all()

    un = pd.read_csv(d["results"] / "bandits_unseen_actions.csv", keep_default_na=False)
    assert {"setting", "note", "message_reduce"} <= set(un.columns)
    assert {"as_trained", "permuted", "reversed", "more_arms"} <= set(un["setting"])
    meta3 = un[(un["method"] == "metarnn") & (un["num_arms"] == 3)]
    assert len(meta3) == 1 and "cannot run" in meta3["note"].iloc[0]
    sym3 = un[(un["method"] == "symla") & (un["num_arms"] == 3)]
    assert len(sym3) == 1 and float(sym3["regret_mean"].iloc[0]) > 0

    for stem in (
        "bandits_regret_over_time",
        "bandits_transfer_heatmaps",
        "bandits_unseen_actions",
        "bandits_training",
    ):
        for ext in ("png", "pdf"):
            assert (d["figures"] / f"{stem}.{ext}").stat().st_size > 1000
    assert (d["results"] / "outputs" / "bandits.json").exists()


def test_bandits_notebook_rejects_bad_parameters(run_notebook):
    with pytest.raises(papermill.PapermillExecutionError, match="unknown value"):
        run_notebook("bandits", dists=["gaussian"])
