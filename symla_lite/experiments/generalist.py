"""The generalist: SymLA and MetaRNN at equal inputs meta-trained on a mixture of procedurally
generated task families, meta-tested unchanged on held-out classic control.

Meta-training (`transfer.train_generalist`): the mixture `transfer.FAMILIES` (`envs.mixture`:
grid worlds, bandits, random tabular MDPs with weight 1, random unstable control systems with 2),
every observation projected to DIM = 16 dims and the actions permuted per lifetime; a member's
fitness is the weighted mean over families of its normalised return (0 = the random policy, 1 = a
policy that knows the task), so that no family dominates by its reward scale. MetaRNN's action
head is sized for the most actions of the mixture, classic control and the atlas
(`transfer.MAX_ACTIONS`) and masks the absent ones (`agents.metarnn`), so both learners see the
same inputs.
`presets.NUM_SEEDS` seeds per learner in one program, the preset's `rl` column with the
departures `presets.experiment(preset, EXPERIMENT)`.

Meta-testing (`run`): on classic control projected to DIM (never in meta-training,
`envs.HELD_OUT`), over the test lifetimes of the unseen-environments experiment
(`transfer.meta_test`), beside the grid-world SymLA of that experiment (its
checkpoint, `transfer.train`, method `symla_grid`), the random policy and REINFORCE; and in
distribution, each family's normalised score on fresh tasks.
"""

import functools

import jax
import numpy as np
import pandas as pd

from symla_lite import agents, envs, evaluation, presets, transfer
from symla_lite.envs.classic import CLASSIC
from symla_lite.transfer import LRS

EXPERIMENT = transfer.GENERALIST
LEARNERS = ("symla", "metarnn")
GRID = "symla_grid"  # the grid-world SymLA of the unseen-environments experiment


def in_distribution(learners: dict, preset: str, seed: int) -> pd.DataFrame:
    """One row per method x seed x family: the normalised score (`envs.Mixture.scores`) over
    `rl_tests` fresh lifetimes per family of the meta-training length, the same tasks for every
    method; the random policy (seed NA) scores about 0 by construction."""
    mix = envs.make("mixture", **transfer.generalist_kwargs())
    length = next(iter(learners.values()))[0].config.hyper()["lifetime"]
    n = presets.evaluation(preset)["rl_tests"] * len(mix.names)
    key = evaluation.test_key(seed, f"{EXPERIMENT}/in_distribution")
    methods = [(m, r.config.seed, r.agent, r.params) for m, rs in learners.items() for r in rs]
    methods.append(("random", None, agents.make("random"), {}))

    @functools.cache  # one compiled program per agent, shared by its seeds
    def scorer(agent):
        return jax.jit(lambda p: mix.scores(agent, p, key, n, length))

    rows = []
    for method, s, agent, params in methods:
        scores = scorer(agent)(params)
        rows += [
            dict(method=method, seed=s, family=f, score=float(v))
            for f, v in zip(mix.names, np.asarray(scores), strict=True)
        ]
    df = pd.DataFrame(rows).assign(lifetime=length, tests=n // len(mix.names))
    return df.assign(seed=df["seed"].astype("Int64"), preset=preset)


def run(preset, seed, checkpoints: dict, progress=True, lrs=LRS, env_ids=CLASSIC) -> dict:
    """checkpoints: {"symla", "metarnn", "symla_grid": folder}. Returns the tables of
    `transfer.meta_test` ("episodes", "lifetimes", "reinforce_lr") for methods symla,
    metarnn (the generalists), symla_grid, random and reinforce; "in_distribution"; "training":
    the generalists' meta-training curves (method, seed, generation, ...)."""
    missing = sorted({*LEARNERS, GRID} - set(checkpoints))
    if missing:
        raise ValueError(f"checkpoints needs a folder for {missing}")
    learners = {
        a: transfer.train_generalist(a, preset, seed, checkpoints[a], progress) for a in LEARNERS
    }
    grid = transfer.train("symla", preset, seed, checkpoints[GRID], progress=progress)
    tables = transfer.meta_test({**learners, GRID: grid}, preset, seed, lrs, env_ids)
    training = pd.concat(
        [r.history.assign(method=m, seed=r.config.seed) for m, rs in learners.items() for r in rs],
        ignore_index=True,
    )
    front = ["method", "seed"]
    return {
        **tables,
        "in_distribution": in_distribution(learners, preset, seed),
        "training": training[front + [c for c in training.columns if c not in front]],
    }
