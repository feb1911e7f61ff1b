"""The generalisation atlas, computation: one meta-learned SymLA meta-tested, unchanged, on every
discrete-action gymnax environment (`envs.ATLAS`; the others are `envs.SKIPPED`, with the reason).

SymLA's meta-parameters are the unseen-environments experiment's (grid worlds, observations
projected to 16 dims, `transfer.train`, every seed), read from that notebook's checkpoint; MetaRNN
is meta-trained the same way and runs where its 4 actions fit. The generalists (methods
`generalist` and `generalist_metarnn`: SymLA and MetaRNN at equal inputs meta-trained on a mixture
of task families, `transfer.train_generalist`) are read from the generalist notebook's
checkpoints; that MetaRNN's head has `transfer.MAX_ACTIONS` actions, so it runs everywhere. The
meta-test, its lifetimes and its score are `symla_lite.atlas_scoring`'s (shared with the
diversity curve). Figure: `plots.atlas`; claims: `claims.atlas`.
"""

import numpy as np
import pandas as pd

from symla_lite import presets, transfer, verdict
from symla_lite.atlas_scoring import (  # noqa: F401 (the atlas's names, re-exported)
    EPISODE_LENGTHS,
    LIFETIMES,
    LRS,
    MAX_LIFETIME,
    MIN_DENOMINATOR,
    MIN_EPISODES,
    MIN_LIFETIME,
    RANDOM,
    TARGET_EPISODES,
    check_env_ids,
    lifetime_rule,
    lifetimes,
    measure_episode_lengths,
    meta_test,
    quarter_returns,
    score,
    scores,
)
from symla_lite.envs import ATLAS, SKIPPED

METHODS = ("symla", "generalist", "metarnn", "generalist_metarnn", "random", "reinforce")
# The generalist experiment's learners: atlas method -> learner (`transfer.train_generalist`)
GENERALISTS = {"generalist": "symla", "generalist_metarnn": "metarnn"}


def skipped(env_ids) -> pd.DataFrame:
    """Every registered environment the atlas does not run here: env, reason."""
    rows = [dict(env=e, reason=r) for e, r in SKIPPED.items()]
    rows += [
        dict(env=e, reason="not selected (the notebook's env_ids parameter)")
        for e in ATLAS
        if e not in env_ids
    ]
    return pd.DataFrame(rows, columns=["env", "reason"])


COLUMNS = ["env", "method", "seed", "num_actions", "obs_dim", "lifetime", "episodes",
           "early_return", "late_return", "learning_gain", "random_late", "reinforce_late",
           "score", "gain_sem", "n_scored", "note"]  # fmt: skip


def run(preset, seed, symla_checkpoint, metarnn_checkpoint, env_ids=ATLAS, lifetime=1.0,
        lrs=LRS, progress=True, parallel=True, generalist_checkpoints=None) -> dict:  # fmt: skip
    """Returns {"atlas": one row per env x method x seed (COLUMNS; seed NA for random and
    REINFORCE; MetaRNN's rows where it cannot run say so in `note`), "lifetimes": one row per
    env x method x seed x test lifetime (`quarter_returns`), "reinforce_lr": REINFORCE's search
    per env, "skipped": every registered environment not run and why, "training": meta-training
    curves per method and seed}. Every method and seed meets the same test lifetimes.

    generalist_checkpoints: {"symla": folder, "metarnn": folder} of the generalist experiment
    (methods `generalist` and `generalist_metarnn`), or None to leave them out.
    parallel: see `meta_test`."""
    lengths = lifetimes(env_ids, preset, lifetime)
    n = presets.evaluation(preset)["atlas_tests"]
    trained = [
        (method, transfer.train(method, preset, seed, ckpt, progress=progress))
        for method, ckpt in (("symla", symla_checkpoint), ("metarnn", metarnn_checkpoint))
    ]
    for method, learner in GENERALISTS.items() if generalist_checkpoints else ():
        ckpt = generalist_checkpoints[learner]
        trained.append((method, transfer.train_generalist(learner, preset, seed, ckpt, progress)))
    runs, history = [], []
    for method, results in trained:
        for res in results:
            runs.append((method, res.config.seed, res.agent, res.params))
            history.append(res.history.assign(method=method, seed=res.config.seed))
    lives, rows, searches = meta_test(lengths, n, seed, runs, lrs, parallel)
    atlas = scores(pd.DataFrame(rows)).assign(preset=preset)
    atlas["seed"] = atlas["seed"].astype("Int64")
    per = pd.concat(lives, ignore_index=True).assign(preset=preset)
    per["seed"] = per["seed"].astype("Int64")
    front = ["env", "method", "seed", "lifetime", "lifetime_id"]
    training = pd.concat(history, ignore_index=True)
    return {
        "atlas": atlas[[*COLUMNS, "preset"]],
        "lifetimes": per[front + [c for c in per.columns if c not in front]],
        "reinforce_lr": pd.concat(searches, ignore_index=True),
        "skipped": skipped(lengths),
        "training": training[["method", "seed"] + [c for c in training.columns if c not in
                                                   ("method", "seed")]],
    }  # fmt: skip


def cells(atlas: pd.DataFrame) -> pd.DataFrame:
    """One row per env x method of the atlas table (or its CSV): `score` (for SymLA and MetaRNN
    the mean over the seeds that have one), `gain` = learning_gain and its standard error
    `gain_se` (across seeds for SymLA and MetaRNN, over test lifetimes for the fixed methods),
    `n_seeds`, `learns` (gain above 2 standard errors) and `status` ("cannot run", "not scored"
    or "")."""
    df = atlas
    gain = verdict.over_seeds(df, ["env", "method"], "learning_gain", "gain_sem")
    out = gain.rename(columns={"mean": "gain", "sem": "gain_se"})
    out["score"] = df.groupby(["env", "method"], sort=False)["score"].mean().to_numpy()
    status = []
    for _, g in df.groupby(["env", "method"], sort=False):
        notes = g["note"].fillna("").astype(str)
        if notes.str.startswith("cannot run").all():
            status.append("cannot run")
        elif not np.isfinite(g["score"]).any():
            status.append("not scored")
        else:
            status.append("")
    out["status"] = status
    out["learns"] = (out["gain"] > 2 * out["gain_se"]).fillna(False).astype(bool)
    return out


def lifetime_table(env_ids, preset: str, scale: float = 1.0) -> pd.DataFrame:
    """Per environment: the random policy's mean episode length, the table's lifetime, this run's
    lifetime (`lifetimes`) and how many random-policy episodes that holds."""
    lengths = lifetimes(env_ids, preset, scale)
    return pd.DataFrame(
        [dict(env=e, random_episode_length=EPISODE_LENGTHS[e], table_lifetime=LIFETIMES[e],
              lifetime=n, random_episodes=n / EPISODE_LENGTHS[e]) for e, n in lengths.items()]
    )  # fmt: skip
