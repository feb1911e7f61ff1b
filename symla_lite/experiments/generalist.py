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

The standard preset's run (6 seeds, 800 generations) keeps its meta-parameters at every milestone
(`transfer.milestones`) and saves them (`save`, results/standard/generalist_params/g<gen>/); the
default batch meta-tests them as that batch did (`shipped_run`): the claims "(standard preset)"
and the budget curve (`budget_table`, every milestone on the same test lifetimes).
"""

import functools
from pathlib import Path

import jax
import numpy as np
import pandas as pd

from symla_lite import agents, envs, evaluation, presets, shipped, transfer
from symla_lite.envs.classic import CLASSIC
from symla_lite.transfer import LRS

EXPERIMENT = transfer.GENERALIST
LEARNERS = ("symla", "metarnn")
GRID = "symla_grid"  # the grid-world SymLA of the unseen-environments experiment
PARAMS = "generalist_params"  # a results folder's meta-parameters, per method and seed


def in_distribution(runs, length: int, preset: str, seed: int) -> pd.DataFrame:
    """One row per method x seed x family of `runs` ((method, seed, agent, params)): the
    normalised score (`envs.Mixture.scores`) over `rl_tests` fresh lifetimes per family of
    `length` steps (the meta-training lifetime), the same tasks for every method; the random
    policy (seed NA) scores about 0 by construction."""
    mix = envs.make("mixture", **transfer.generalist_kwargs())
    n = presets.evaluation(preset)["rl_tests"] * len(mix.names)
    key = evaluation.test_key(seed, f"{EXPERIMENT}/in_distribution")
    runs = [*runs, ("random", None, agents.make("random"), {})]

    @functools.cache  # one compiled program per agent, shared by its seeds
    def scorer(agent):
        return jax.jit(lambda p: mix.scores(agent, p, key, n, length))

    rows = []
    for method, s, agent, params in runs:
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
    the generalists' meta-training curves (method, seed, generation, ...); "kept":
    {generations: the generalists' (method, seed, agent, params)} (to `save` them) and
    "lifetime". At a preset that ships none (`presets.ships`), its own run keeps its milestones
    (`transfer.milestones`) and "budget" is their `budget_table`; else "budget" is None."""
    missing = sorted({*LEARNERS, GRID} - set(checkpoints))
    if missing:
        raise ValueError(f"checkpoints needs a folder for {missing}")
    keep = not presets.ships(preset)
    trained = {
        a: transfer.train_generalist(a, preset, seed, checkpoints[a], progress, keep=keep)
        for a in LEARNERS
    }
    if not keep:  # one milestone: the run itself
        trained = {a: {0: res} for a, res in trained.items()}
    kept = {g: shipped.runs({a: trained[a][g] for a in LEARNERS}) for g in trained[LEARNERS[0]]}
    final = max(kept)
    learners = {a: res[final] for a, res in trained.items()}
    grid = shipped.runs({GRID: transfer.train("symla", preset, seed, checkpoints[GRID],
                                              progress=progress)})  # fmt: skip
    tables, budget = meta_test_kept(kept, preset, seed, lrs, env_ids, grid)
    training = pd.concat(
        [r.history.assign(method=m, seed=r.config.seed) for m, rs in learners.items() for r in rs],
        ignore_index=True,
    )
    front = ["method", "seed"]
    length = learners["symla"][0].config.hyper()["lifetime"]
    return {
        **tables,
        "in_distribution": in_distribution(kept[final], length, preset, seed),
        "training": training[front + [c for c in training.columns if c not in front]],
        "budget": budget if keep else None,
        "kept": kept if keep else {},
        "lifetime": length,
    }


TAG = "@"  # method@generations: a milestone's runs among the others in one meta-test


def meta_test_kept(kept: dict, preset, seed, lrs=LRS, env_ids=CLASSIC, extra=()) -> tuple:
    """One `transfer.meta_test` of every milestone's runs of `kept` ({generations: runs}) and of
    `extra` runs, on the same test lifetimes: (its tables for the last milestone's runs, named by
    their method, and `extra`'s, with the fixed methods; `budget_table` of every milestone)."""
    final = max(kept)
    runs = [(f"{m}{TAG}{g}", s, a, p) for g, rs in kept.items() for m, s, a, p in rs]
    tables = transfer.meta_test(runs + list(extra), preset, seed, lrs, env_ids)
    out = {}
    for name in ("episodes", "lifetimes"):
        df = tables[name]
        parts = df["method"].str.partition(TAG)
        method, gens = parts[0].to_numpy(), parts[2].to_numpy()
        keep = (gens == "") | (gens == str(final))
        out[name] = df[keep].assign(method=method[keep]).reset_index(drop=True)
    budget = budget_table(tables["lifetimes"])
    return {**out, "reinforce_lr": tables["reinforce_lr"]}, budget


def budget_table(lifetimes: pd.DataFrame) -> pd.DataFrame:
    """One row per env x method x seed x milestone (methods tagged method@generations by
    `meta_test_kept`, the fixed methods once with generations NA): the mean over test lifetimes
    of `early`, `late` and `gain` (`transfer.early_late`)."""
    df = lifetimes.copy()
    parts = df["method"].str.partition(TAG)
    df["method"], df["generations"] = parts[0], pd.to_numeric(parts[2]).astype("Int64")
    df = df[df["generations"].notna() | df["seed"].isna()]
    keys = ["env", "method", "seed", "generations"]
    out = df.groupby(keys, dropna=False, sort=False)[["early", "late", "gain"]].mean()
    return out.reset_index().assign(preset=df["preset"].iloc[0])


def save(kept: dict, folder, preset: str, seed: int, length: int) -> list:
    """Write the generalists' meta-parameters at every milestone of `kept` ({generations: runs})
    to <folder>/g<generations>/<method>_seed<seed>.npz (`shipped.save`), recording the
    experiment, preset, base seed, meta-training lifetime and generations."""
    return [
        path
        for g, runs in kept.items()
        for path in shipped.save(runs, Path(folder) / f"g{g}", dict(
            experiment=EXPERIMENT, preset=preset, base_seed=seed, lifetime=length, generations=g))
    ]  # fmt: skip


def load(folder, preset: str = presets.SHIPPED) -> dict:
    """What `save` wrote to `folder`: {"kept": {generations: runs}, "lifetime", "seed", "files"};
    the clear errors of `shipped.load`, and one when the milestones are not one run's."""
    gens = sorted(int(p.name[1:]) for p in Path(folder).glob("g*") if p.name[1:].isdigit())
    found = {g: shipped.load(Path(folder) / f"g{g}", EXPERIMENT, LEARNERS, preset) for g in gens}
    if not found:
        shipped.load(folder, EXPERIMENT, LEARNERS, preset)  # raises, naming the command
    batch = {(f["lifetime"], f["seed"]) for f in found.values()}
    if len(batch) != 1:
        raise ValueError(f"{folder}: the milestones are not one run's (lifetime, seed): {batch}")
    ((lifetime, seed),) = batch
    files = [p for f in found.values() for p in f["files"]]
    return dict(kept={g: f["runs"] for g, f in found.items()}, lifetime=lifetime, seed=seed,
                files=files)  # fmt: skip


def check_shipped(preset: str, folder) -> None:
    """Before any work: a clear error unless `folder` holds the meta-parameters that
    `shipped_run` meta-tests at `preset`; nothing to check at a preset that ships none."""
    if presets.ships(preset):
        load(folder)


def shipped_run(preset: str, folder, lrs=LRS, env_ids=CLASSIC) -> dict | None:
    """At a preset whose batch meta-tests shipped meta-parameters (`presets.ships`): the
    generalists in `folder` (`load`) meta-tested as their own batch meta-tests them (its preset's
    test sizes, its base seed), without the grid-world SymLA: `meta_test_kept`'s tables of the
    last milestone, "budget" (every milestone), "in_distribution" and "files" (the parameter
    files read). None at other presets."""
    if not presets.ships(preset):
        return None
    found = load(folder)
    kept, seed = found["kept"], found["seed"]
    tables, budget = meta_test_kept(kept, presets.SHIPPED, seed, lrs, env_ids)
    scores = in_distribution(kept[max(kept)], found["lifetime"], presets.SHIPPED, seed)
    return {**tables, "budget": budget, "in_distribution": scores, "files": found["files"]}
