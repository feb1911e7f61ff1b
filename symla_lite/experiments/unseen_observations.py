"""Unseen observation spaces (SPEC section 4 item 3), computation: meta-train on CartPole, meta-test
with observations and/or actions permuted per lifetime. The meta-parameters are saved (`save`),
so that a smaller preset's batch meta-tests the `standard` preset's (`shipped`). Figure:
`plots.unseen_observations`; claims: `claims.unseen_observations`."""

from pathlib import Path

import numpy as np
import pandas as pd

from symla_lite import agents, envs, evaluation, meta, presets
from symla_lite import shipped as shipped_params

SETTINGS = {
    "as_trained": {},
    "obs_permuted": dict(permute_obs=True),
    "actions_permuted": dict(permute_actions=True),
    "both_permuted": dict(permute_obs=True, permute_actions=True),
}
METHODS = ("symla", "metarnn")  # meta-trained, one run per seed of presets.seeds(seed)
ENV = "CartPole-v1"
EXPERIMENT = "unseen_observations"
PARAMS = "unseen_observations_params"  # a results folder's meta-parameters, per method and seed
# The test lifetimes are split into PARTS consecutive parts and the falls counted in each: a learner
# falls less in later parts; a fixed controller falls as often in every part after the first (the
# first is lower for any policy: no fall comes before the first episode's length).
PARTS = 4


def falls_per_part(falls: np.ndarray, parts: int = PARTS) -> tuple[np.ndarray, list[int]]:
    """falls: [lifetimes, L] (1 where the pole fell) -> ([lifetimes, parts] falls in each
    consecutive part of the lifetime, the steps of each part; parts differ by at most one step)."""
    chunks = np.array_split(np.asarray(falls, np.float64), parts, axis=1)
    return np.stack([c.sum(1) for c in chunks], axis=1), [c.shape[1] for c in chunks]


def train(preset: str, seed: int, checkpoints, progress: bool = True):
    """Meta-train SymLA and MetaRNN on CartPole-v1, the seeds of `presets.experiment(preset,
    EXPERIMENT)` from `seed` of each in one program. checkpoints: tag -> checkpoint folder.
    Returns (runs: [(method, seed, agent, params)], training curves per method and seed,
    lifetime)."""
    fields, n_seeds = presets.experiment(preset, EXPERIMENT)
    runs, history = [], []
    for method in METHODS:
        results = meta.train_auto(
            method, ENV, preset=preset, seeds=presets.seeds(seed, n_seeds), family="rl",
            checkpoint_dir=checkpoints(method), progress=progress, **fields,
        )  # fmt: skip
        for res in results:
            runs.append((method, res.config.seed, res.agent, res.params))
            history.append(res.history.assign(method=method, seed=res.config.seed))
    length = results[0].config.hyper()["lifetime"]
    return runs, pd.concat(history, ignore_index=True), length


def meta_test(runs, length: int, preset: str, seed: int) -> dict:
    """Meta-test every (method, seed, agent, params) of `runs` and the random policy on the same
    test set of every setting, lifetimes of `length` steps. Returns {"results": one row per method
    x seed x setting (seed NA for the random policy) with the return per lifetime (return_mean,
    return_sem over test lifetimes, n_lifetimes) and the falls per lifetime (episodes ended by the
    pole falling: falls_mean, falls_sem), "parts": the falls in each of PARTS parts}."""
    runs = [*runs, ("random", None, agents.make("random"), {})]
    n = presets.evaluation(preset)["rl_tests"]
    key = evaluation.test_key(seed, EXPERIMENT)
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
    return {"results": df, "parts": parts}


def run(preset: str, seed: int, checkpoints, progress: bool = True) -> dict:
    """`train`, then `meta_test` every seed: meta_test's tables, "training" (the meta-training
    curves per method and seed), "runs" and "lifetime" (train's, to `save` them)."""
    runs, history, length = train(preset, seed, checkpoints, progress)
    tables = meta_test(runs, length, preset, seed)
    return {**tables, "training": history, "runs": runs, "lifetime": length}


def save(runs, folder, preset: str, seed: int, length: int) -> list[Path]:
    """Write every run's meta-parameters to <folder>/<method>_seed<seed>.npz (`shipped.save`),
    recording the experiment, preset, base seed (the batch's `seed`) and the meta-training
    lifetime."""
    record = dict(experiment=EXPERIMENT, env=ENV, preset=preset, base_seed=seed, lifetime=length)
    return shipped_params.save(runs, folder, record)


def load(folder, preset: str = presets.SHIPPED) -> dict:
    """What `save` wrote to `folder` at `preset` (`shipped.load`): {"runs", "lifetime", "seed",
    "files"}."""
    return shipped_params.load(folder, EXPERIMENT, METHODS, preset)


def check_shipped(preset: str, folder) -> None:
    """Before any work: a clear error unless `folder` holds the meta-parameters that `shipped`
    meta-tests at `preset` (see `load`); nothing to check at a preset that ships none."""
    if presets.ships(preset):
        load(folder)


def shipped(preset: str, folder) -> dict | None:
    """At a preset whose batch meta-tests shipped meta-parameters (`presets.ships`): those in
    `folder` (see `load`) meta-tested exactly as their own batch meta-tests them (its preset's
    test sizes, its base seed): meta_test's tables and "files" (the parameter files read).
    None at other presets."""
    if not presets.ships(preset):
        return None
    found = load(folder)
    tables = meta_test(found["runs"], found["lifetime"], presets.SHIPPED, found["seed"])
    return {**tables, "files": found["files"]}
