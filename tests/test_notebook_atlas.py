"""The atlas notebook runs end to end with papermill in the smoke preset, on two environments: one
where MetaRNN cannot run (CartPole, 2 actions) and one where it runs (FrozenLake, 4 actions)."""

import gymnax
import numpy as np
import pandas as pd
import papermill
import pytest

from symla_lite import verdict
from symla_lite.claims.atlas import COUNT_CLAIM
from symla_lite.experiments.atlas import COLUMNS

ENVS = ["CartPole-v1", "FrozenLake-misc"]


@pytest.mark.heavy
def test_atlas_notebook_smoke(run_notebook, check_figure_and_record):
    d = run_notebook("atlas", env_ids=ENVS, reinforce_lrs=[0.01, 0.1])
    res = d["results"]
    df = pd.read_csv(res / "atlas.csv")
    assert list(df.columns) == [*COLUMNS, "preset"]
    assert list(dict.fromkeys(df["env"])) == ENVS
    for env_id in ENVS:
        sub = df[df["env"] == env_id]
        # the meta-learned methods: one row per meta-training seed; random and REINFORCE: one, NA
        for method in ("symla", "generalist", "metarnn", "generalist_metarnn"):
            assert sorted(sub.loc[sub["method"] == method, "seed"]) == [0, 1, 2]
        fixed = sub[sub["method"].isin(["random", "reinforce"])]
        assert len(fixed) == 2 and fixed["seed"].isna().all()
        assert sub["lifetime"].nunique() == 1 and sub["lifetime"].iloc[0] % 4 == 0
        assert (sub["random_late"].nunique(dropna=False), sub["reinforce_late"].nunique(dropna=False)) == (1, 1)  # fmt: skip
    cp = df[(df["env"] == "CartPole-v1") & (df["method"] == "metarnn")]
    assert cp["note"].str.startswith("cannot run: MetaRNN was built for 16 inputs and 4").all()
    assert cp[["early_return", "late_return", "score"]].isna().all().all()
    fl = df[(df["env"] == "FrozenLake-misc") & (df["method"] == "metarnn")]
    assert np.isfinite(fl["episodes"]).all() and (fl["episodes"] > 0).all()
    # MetaRNN at equal inputs (the generalist's, a head of transfer.MAX_ACTIONS) runs everywhere
    gm = df[df["method"] == "generalist_metarnn"]
    assert (
        not gm["note"].fillna("").str.startswith("cannot run").any() and (gm["episodes"] > 0).all()
    )
    assert (df.loc[df["env"] == "CartPole-v1", "obs_dim"] == 4).all()
    assert (df.loc[df["env"] == "FrozenLake-misc", "obs_dim"] == 16).all()  # one-hot tile
    # a score is there or its absence is explained
    unscored = df[df["score"].isna()]
    assert unscored["note"].fillna("").str.match("(not scored|cannot run)").all()
    scored = df[df["score"].notna()]
    assert (scored["method"] != "random").all() or (scored.loc[scored["method"] == "random", "score"] == 0).all()  # fmt: skip

    # nothing silently dropped: every registered environment is in the atlas or listed as skipped
    skipped = pd.read_csv(res / "atlas_skipped.csv")
    assert set(df["env"]) | set(skipped["env"]) == set(gymnax.registered_envs)
    assert not set(df["env"]) & set(skipped["env"])
    assert "download" in skipped.set_index("env").loc["MNISTBandit-bsuite", "reason"]

    lives = pd.read_csv(res / "atlas_lifetimes.csv")
    counts = lives.groupby(["env", "method", "seed"], dropna=False).size()
    assert counts.nunique() == 1  # every method and seed meets the same number of test lifetimes
    lr = pd.read_csv(res / "atlas_reinforce_lr.csv")
    assert (
        sorted(lr["lr"].unique()) == [0.01, 0.1] and lr.groupby("env")["chosen"].sum().eq(1).all()
    )
    train = pd.read_csv(res / "atlas_training.csv")
    assert set(train["method"]) == {"symla", "generalist", "metarnn", "generalist_metarnn"}

    claims = pd.read_csv(res / f"atlas{verdict.SUFFIX}")
    assert list(claims.columns) == list(verdict.COLUMNS)
    per_env = [f"atlas, {e}: SymLA learns within the lifetime" for e in ENVS]
    assert list(claims["claim"]) == [*per_env, COUNT_CLAIM]
    assert (claims["experiment"] == "atlas").all() and (claims["n_seeds"] == 3).all()
    # the count claim: environments learned per seed, between 0 and the number of environments
    assert 0 <= claims["symla"].iloc[-1] <= len(ENVS) and 0 <= claims["baseline"].iloc[-1] <= 2
    assert set(claims["verdict"]) <= set(verdict.VERDICTS) and (claims["preset"] == "smoke").all()
    # SymLA's parameters were resumed from (here: written to) the unseen-environments folder
    assert (d["checkpoints"] / "unseen_environments" / "smoke" / "seed0" / "symla").is_dir()
    assert (d["checkpoints"] / "atlas" / "smoke" / "seed0" / "metarnn").is_dir()
    for learner in ("symla", "metarnn"):  # the generalists: the generalist notebook's folders
        assert (d["checkpoints"] / "generalist" / "smoke" / "seed0" / learner).is_dir()
    check_figure_and_record(d, "atlas")


@pytest.mark.parametrize(
    "env_ids, words",
    [
        (["Nope-v0"], "unknown environment 'Nope-v0' in env_ids; choose from"),
        (["Pendulum-v1"], "skipped by the atlas: continuous actions"),
    ],
)
def test_atlas_notebook_rejects_bad_env_ids(run_notebook, env_ids, words):
    with pytest.raises(papermill.PapermillExecutionError, match=words):
        run_notebook("atlas", env_ids=env_ids)
