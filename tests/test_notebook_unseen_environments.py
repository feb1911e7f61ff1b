"""The unseen_environments notebook runs end to end with papermill in the smoke preset."""

import numpy as np
import pandas as pd
import papermill
import pytest

from symla_lite import verdict
from symla_lite.experiments.unseen_environments import early_late

ENVS = ("CartPole", "Acrobot", "MountainCar")
CLAIMS = ("SymLA's return per episode rises over the lifetime", "SymLA ends above random")


def test_early_late_first_and_last_completed_episodes():
    # lifetime 0: episodes of return 1, 2, 3, 4 and an unfinished one; lifetime 1: one episode
    rewards = np.array([[1, 0, 2, 0, 3, 0, 4, 9], [1, 1, 1, 1, 1, 1, 1, 1]], np.float64)
    dones = np.zeros_like(rewards, bool)
    dones[0, [1, 3, 5, 6]] = True
    dones[1, 2] = True
    df = early_late(rewards, dones, k=5)
    assert list(df["episodes"]) == [4, 1] and list(df["k"]) == [2, 0]
    assert df.loc[0, ["early", "late", "gain"]].tolist() == [1.5, 3.5, 2.0]
    assert df.loc[1, ["early", "late", "gain"]].isna().all()
    assert list(df["lifetime_return"]) == [19.0, 8.0]


@pytest.mark.heavy
def test_unseen_environments_notebook_smoke(run_notebook, check_figure_and_record):
    d = run_notebook("unseen_environments", reinforce_lrs=[0.01, 0.1])
    res = d["results"]
    ep = pd.read_csv(res / "unseen_environments.csv")
    cols = ["env", "method", "seed", "episode", "return_mean", "return_sem", "n_lifetimes"]
    assert set(cols) <= set(ep.columns)
    assert set(ep["method"]) == {"symla", "random", "reinforce"}
    # per-seed rows: 3 meta-training seeds for SymLA, none (NA) for the fixed baselines
    assert sorted(ep.loc[ep["method"] == "symla", "seed"].unique()) == [0, 1, 2]
    assert ep.loc[ep["method"] != "symla", "seed"].isna().all()
    cp = ep[ep["env"] == "CartPole-v1"]
    assert set(cp["method"]) == {"symla", "random", "reinforce"}
    # CartPole episodes pay 1 per step but 0 on the fall: returns >= 0, below the time limit
    assert ((cp["return_mean"] >= 0) & (cp["return_mean"] < 500)).all()
    assert (cp.groupby(["method", "seed"], dropna=False)["episode"].min() == 0).all()
    lives = pd.read_csv(res / "unseen_environments_lifetimes.csv")
    assert set(lives["env"]) == {"CartPole-v1", "Acrobot-v1", "MountainCar-v0"}
    sym = lives[lives["method"] == "symla"]
    assert sorted(sym["seed"].unique()) == [0, 1, 2]
    # every seed and method meets the same test lifetimes
    counts = lives.groupby(["env", "method", "seed"], dropna=False).size()
    assert counts.nunique() == 1 and len(counts) == 3 * 5
    train = pd.read_csv(res / "unseen_environments_training.csv")
    assert sorted(train["seed"].unique()) == [0, 1, 2]
    lr = pd.read_csv(res / "unseen_environments_reinforce_lr.csv")
    assert sorted(lr["lr"].unique()) == [0.01, 0.1] and np.isfinite(lr["return_mean"]).all()
    claims = pd.read_csv(res / f"unseen_environments{verdict.SUFFIX}")
    assert list(claims.columns) == list(verdict.COLUMNS)
    assert list(claims["claim"]) == [f"grid world -> {e}: {c}" for e in ENVS for c in CLAIMS]
    assert (claims["experiment"] == "unseen_environments").all()
    assert (claims["n_seeds"] >= 3).all() and (claims["preset"] == "smoke").all()
    assert set(claims["verdict"]) <= set(verdict.VERDICTS)
    # CartPole completes episodes within a smoke lifetime: its rows have numbers
    assert np.isfinite(claims.loc[:1, ["symla", "symla_sem", "baseline"]].to_numpy()).all()
    check_figure_and_record(d, "unseen_environments")


def test_unseen_environments_rejects_unknown_env(run_notebook):
    with pytest.raises(papermill.PapermillExecutionError, match="unknown value"):
        run_notebook("unseen_environments", env_ids=["Pendulum-v1"])
