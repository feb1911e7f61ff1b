"""Unseen environments (SPEC section 4 item 5), computation: meta-train SymLA on grid worlds with
observations projected to 16 dims (Appendix C.3), `presets.NUM_SEEDS` meta-training seeds in one
program (`transfer.train`), and meta-test every seed on classic control projected the same way,
against the random policy and REINFORCE (its learning rate chosen by a search on tasks of its
own). Figure: `plots.unseen_environments`; claims: `claims.unseen_environments`."""

import pandas as pd

from symla_lite import shipped, transfer
from symla_lite.envs import CLASSIC
from symla_lite.transfer import (  # noqa: F401 (the experiment's tables, shared with the generalist)
    DIM,
    LRS,
    MAX_EPISODES,
    K,
    check_env_ids,
    complete,
    early_late,
    episode_rows,
    meta_test,
    over_lifetimes,
    per_seed,
)


def run(preset, seed, checkpoint, progress=True, lrs=LRS, env_ids=CLASSIC) -> dict:
    """Returns {"episodes": one row per env x method x seed x episode index (return mean, sem, n
    lifetimes that completed that episode), "lifetimes": one row per env x method x seed x test
    lifetime (`early_late`), "reinforce_lr": REINFORCE's lifetime return per env x lr, "training":
    SymLA's meta-training curves, one per seed}. `seed` is SymLA's meta-training seed, NA for the
    fixed methods; every seed and method meets the same test lifetimes."""
    results = transfer.train("symla", preset, seed, checkpoint, progress=progress)
    tables = meta_test(shipped.runs({"symla": results}), preset, seed, lrs, env_ids)
    training = pd.concat([r.history.assign(seed=r.config.seed) for r in results], ignore_index=True)
    return {**tables, "training": training[["seed"] + [c for c in training.columns if c != "seed"]]}
