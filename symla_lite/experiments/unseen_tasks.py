"""Unseen tasks (SPEC section 4 item 4), computation: meta-train on grid worlds, meta-test with heart
and trap rewards swapped; how often each object is collected in each half of the lifetime.
Figure: `plots.unseen_tasks`; claims: `claims.unseen_tasks`."""

import numpy as np
import pandas as pd

from symla_lite import agents, envs, evaluation, meta, presets

METHODS = ("symla", "metarnn")


def object_counts(rewards: np.ndarray, swapped: bool) -> dict:
    """Per lifetime, how many hearts and traps were collected in each half: {(part, object):
    float64[num]}. The heart pays +1 (-1 when swapped), the trap the opposite."""
    half = rewards.shape[1] // 2
    heart_sign = -1.0 if swapped else 1.0
    out = {}
    for part, sl in (("first_half", slice(0, half)), ("second_half", slice(half, None))):
        r = rewards[:, sl]
        out[(part, "heart")] = (r == heart_sign).sum(1).astype(np.float64)
        out[(part, "trap")] = (r == -heart_sign).sum(1).astype(np.float64)
    return out


def run(preset: str, seed: int, checkpoints, progress: bool = True, grid: dict | None = None):
    """Meta-train SymLA and MetaRNN on grid worlds (the seeds `presets.seeds(seed)` of each in one
    program), meta-test every seed and the random policy on the same test sets.

    Returns {"counts": one row per method x seed x setting x part x object (seed NA for the random
    policy) with the mean and sem over test lifetimes of the number of times that object was
    collected, "training": meta-training curves per method and seed}."""
    grid = dict(presets.GRID if grid is None else grid)
    runs, history = [], []  # runs: (method, seed or None, agent, params)
    for method in METHODS:
        results = meta.train_auto(
            method, "gridworld", env_kwargs=grid, preset=preset, seeds=presets.seeds(seed),
            family="rl", checkpoint_dir=checkpoints(method), progress=progress,
        )  # fmt: skip
        for res in results:
            runs.append((method, res.config.seed, res.agent, res.params))
            history.append(res.history.assign(method=method, seed=res.config.seed))
    length = results[0].config.hyper()["lifetime"]
    runs.append(("random", None, agents.make("random"), {}))
    n = presets.evaluation(preset)["rl_tests"]
    key = evaluation.test_key(seed, "unseen_tasks")
    rows = []
    for setting, swapped in (("as_trained", False), ("swapped", True)):
        test = evaluation.test_set(envs.make("gridworld", swap=swapped, **grid), key, n)
        for method, s, agent, params in runs:
            r, _ = evaluation.returns(agent, params, test, length)
            for (part, obj), c in object_counts(r, swapped).items():
                rows.append(
                    dict(
                        method=method,
                        seed=s,
                        setting=setting,
                        part=part,
                        object=obj,
                        count_mean=float(c.mean()),
                        count_sem=evaluation.sem(c),
                        n_lifetimes=int(c.size),
                    )
                )
    df = pd.DataFrame(rows).assign(lifetime=length, preset=preset)
    df["seed"] = df["seed"].astype("Int64")
    return {"counts": df, "training": pd.concat(history, ignore_index=True)}
