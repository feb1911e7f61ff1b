"""The bandits notebook runs end to end with papermill in the smoke preset."""

import numpy as np
import pandas as pd
import papermill
import pytest

from symla_lite import presets, verdict

N_TEST = 2000
SEEDS = [0, 1, 2]  # presets.seeds(0)


@pytest.mark.heavy
def test_bandits_notebook_smoke(run_notebook):
    # the preset's distributions (dists=None): uniform_dependent and hard_dependent at smoke
    dists = presets.bandit_distributions("smoke")
    d = run_notebook("bandits", n_test=N_TEST, more_arms=[2, 3], unseen_reduces=["sum"])
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
    assert len(tr) == 2 * len(dists) ** 2 * len(SEEDS) and (tr["preset"] == "smoke").all()
    for _, g in tr.groupby(["method", "train_dist", "test_dist"]):
        assert sorted(g["seed"]) == SEEDS
    assert np.isfinite(tr["regret_mean"]).all()
    horizon = int(base["horizon"].iloc[0])
    assert (tr["regret_mean"] >= 0).all() and (tr["regret_mean"] <= horizon).all()

    un = pd.read_csv(d["results"] / "bandits_unseen_actions.csv", keep_default_na=False)
    assert {"setting", "note", "message_reduce"} <= set(un.columns)
    assert {"as_trained", "permuted", "reversed", "more_arms"} <= set(un["setting"])
    meta3 = un[(un["method"] == "metarnn") & (un["num_arms"] == 3)]
    assert sorted(meta3["seed"].astype(int)) == SEEDS
    assert meta3["note"].str.contains("cannot run").all()
    sym3 = un[(un["method"] == "symla") & (un["num_arms"] == 3)]
    assert sorted(sym3["seed"].astype(int)) == SEEDS
    assert (sym3["regret_mean"].astype(float) > 0).all()
    fixed = un["method"].isin(["random", "ucb1", "thompson"])
    assert (un.loc[fixed, "seed"] == "").all() and (un.loc[~fixed, "seed"] != "").all()
    learned = un[~fixed]
    for _, g in learned.groupby(["method", "message_reduce", "setting", "test_dist", "num_arms"]):
        assert sorted(g["seed"].astype(int)) == SEEDS

    training = pd.read_csv(d["results"] / "bandits_training.csv")
    for _, g in training.groupby(["method", "train_dist", "message_reduce"], dropna=False):
        assert sorted(g["seed"].unique()) == SEEDS
    curves = pd.read_csv(d["results"] / "bandits_regret_curves.csv")
    learned = curves[curves["method"].isin(["symla", "metarnn"])]
    assert sorted(learned["seed"].unique()) == SEEDS
    assert curves.loc[~curves["method"].isin(["symla", "metarnn"]), "seed"].isna().all()

    claims = pd.read_csv(d["results"] / "bandits_claims.csv")
    assert list(claims.columns) == list(verdict.COLUMNS)
    assert (claims["experiment"] == "bandits").all() and (claims["preset"] == "smoke").all()
    assert (claims["n_seeds"] >= 3).all() and set(claims["verdict"]) <= set(verdict.VERDICTS)
    assert list(claims["claim"]) == [
        "SymLA below Thompson in distribution (uniform-dependent)",
        "Arms permuted: SymLA (sum messages) below MetaRNN, both meta-trained on biased",
        "Bias reversed: SymLA (sum messages) below MetaRNN, both meta-trained on biased",
        "3 arms: SymLA (sum messages, meta-trained on 2) below random",
    ]
    assert np.isfinite(claims[["symla", "symla_sem", "baseline", "baseline_sem"]]).all().all()

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
