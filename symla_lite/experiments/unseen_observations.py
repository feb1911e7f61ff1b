"""Unseen observation spaces (SPEC section 4 item 3), computation: meta-train on CartPole, meta-test
with observations and/or actions permuted per lifetime. Figure: `plots.unseen_observations`;
claims: `claims.unseen_observations`."""

import numpy as np
import pandas as pd

from symla_lite import agents, envs, evaluation, meta, presets

SETTINGS = {
    "as_trained": {},
    "obs_permuted": dict(permute_obs=True),
    "actions_permuted": dict(permute_actions=True),
    "both_permuted": dict(permute_obs=True, permute_actions=True),
}
METHODS = ("symla", "metarnn")  # meta-trained, one run per seed of presets.seeds(seed)
ENV = "CartPole-v1"
# The test lifetimes are split into PARTS consecutive parts and the falls counted in each: a learner
# falls less in later parts; a fixed controller falls as often in every part after the first (the
# first is lower for any policy: no fall comes before the first episode's length).
PARTS = 4


def falls_per_part(falls: np.ndarray, parts: int = PARTS) -> tuple[np.ndarray, list[int]]:
    """falls: [lifetimes, L] (1 where the pole fell) -> ([lifetimes, parts] falls in each
    consecutive part of the lifetime, the steps of each part; parts differ by at most one step)."""
    chunks = np.array_split(np.asarray(falls, np.float64), parts, axis=1)
    return np.stack([c.sum(1) for c in chunks], axis=1), [c.shape[1] for c in chunks]


def run(preset: str, seed: int, checkpoints, progress: bool = True) -> dict:
    """Meta-train SymLA and MetaRNN on CartPole-v1 (the seeds `presets.seeds(seed)` of each in one
    program), meta-test every seed and the random policy on the same test set of every setting.

    checkpoints: tag -> checkpoint folder (e.g. Outputs.checkpoints). Returns {"results": one row
    per method x seed x setting (seed NA for the random policy) with the return per lifetime
    (return_mean, return_sem over test lifetimes, n_lifetimes) and the falls per lifetime (episodes
    ended by the pole falling: falls_mean, falls_sem), "training": meta-training curves per method
    and seed}.
    """
    runs, history = [], []  # runs: (method, seed or None, agent, params)
    for method in METHODS:
        results = meta.train_auto(
            method, ENV, preset=preset, seeds=presets.seeds(seed), family="rl",
            checkpoint_dir=checkpoints(method), progress=progress,
        )  # fmt: skip
        for res in results:
            runs.append((method, res.config.seed, res.agent, res.params))
            history.append(res.history.assign(method=method, seed=res.config.seed))
    length = results[0].config.hyper()["lifetime"]
    runs.append(("random", None, agents.make("random"), {}))
    n = presets.evaluation(preset)["rl_tests"]
    key = evaluation.test_key(seed, "unseen_observations")
    rows, part_rows = [], []
    for setting, kw in SETTINGS.items():
        test = evaluation.test_set(envs.make(ENV, **kw), key, n)
        for method, s, agent, params in runs:
            r, _ = evaluation.returns(agent, params, test, length)
            ret = r.sum(1)
            falls = (r == 0).sum(1).astype(np.float64)  # the step of a fall pays 0, others +1
            row = evaluation.summarise(ret, method=method, seed=s, setting=setting)
            rows.append(
                {**row, "falls_mean": float(falls.mean()), "falls_sem": evaluation.sem(falls)}
            )
            per_part, steps = falls_per_part(r == 0)
            part_rows += [
                dict(method=method, seed=s, setting=setting, part=i + 1, steps=steps[i],
                     falls_mean=float(f.mean()), falls_sem=evaluation.sem(f))
                for i, f in enumerate(per_part.T)
            ]  # fmt: skip
    df = pd.DataFrame(rows).assign(lifetime=length, preset=preset)
    parts = pd.DataFrame(part_rows).assign(lifetime=length, preset=preset)
    for frame in (df, parts):
        frame["seed"] = frame["seed"].astype("Int64")
    return {"results": df, "parts": parts, "training": pd.concat(history, ignore_index=True)}
