"""The diversity curve (GPICL's experiment on SymLA), computation: held-out transfer against the
number of distinct meta-training tasks and against the families in the mixture.

Every point of `transfer.diversity_points` is meta-trained by SymLA and by MetaRNN at equal
inputs with the lite generalist's seeds and budget (BUDGET, `transfer.train_diversity`):

- pool1, pool4, pool16, pool64: every family of the generalist's mixture drawn from a fixed pool of
  n tasks (each with its projection and permutation), the axis "tasks" at x = n;
- grid, grid_bandit, grid_bandit_mdp: fewer families, fresh tasks, the axis "families" at x = 1,
  2, 3;
- all: the generalist's own mixture (fresh tasks, 4 families), on both axes (x = inf and 4); its
  run is the lite generalist's.

Eight points x 2 learners x 3 seeds is about 40 minutes of meta-training on 2 cores, too long for
the default batch: the `standard` run of the generalist notebook meta-trains them (`train`), saves
their meta-parameters (`save`: <results>/standard/diversity_params/<point>/<method>_seed<s>.npz)
and scores them on the atlas (`atlas_scores`, written to ATLAS_CSV), and a batch that ships
(`presets.ships`) meta-tests the saved ones on CartPole (`cartpole`) and reads the atlas scores.
The meta-test uses the sizes of BUDGET's preset, or of a smaller preset (smoke) when it runs.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from symla_lite import atlas_scoring, evaluation, presets, shipped, transfer
from symla_lite.envs import ATLAS

BUDGET = "lite"  # every point meta-trains with the generalist's seeds and budget at this preset
EXPERIMENT = transfer.GENERALIST  # the notebook whose standard run writes them
LEARNERS = ("symla", "metarnn")
PARAMS = "diversity_params"
ATLAS_CSV = "generalist_diversity_atlas.csv"
ENV = "CartPole-v1"
TAG = ":"  # method:point, a point's runs among the others in one meta-test
FRESH = np.inf  # x of the "all" point on the tasks axis: a fresh task every lifetime


def axes() -> pd.DataFrame:
    """One row per (point, axis): axis "tasks" (x: distinct tasks per family) or "families" (x:
    how many families, in the order grid world, bandits, random MDPs, random control)."""
    rows = [dict(point=f"pool{n}", axis="tasks", x=float(n)) for n in transfer.POOLS]
    rows.append(dict(point="all", axis="tasks", x=FRESH))
    rows += [
        dict(point=name, axis="families", x=float(len(fams)))
        for name, fams in transfer.FAMILY_SETS.items()
    ]
    rows.append(dict(point="all", axis="families", x=float(len(transfer.FAMILIES))))
    return pd.DataFrame(rows)


def sizes(preset: str) -> str:
    """The preset whose meta-test sizes a batch at `preset` uses: BUDGET's, or a smaller one's."""
    return min(preset, BUDGET, key=presets.PRESETS.index)


def train(seed: int, checkpoint, progress=True) -> dict:
    """Every point meta-trained by both learners (`transfer.train_diversity` at BUDGET), resuming
    from `checkpoint(point, learner)` (a folder): {point: runs (method, seed, agent, params)},
    and the meta-training lifetime under "lifetime"."""
    out, length = {}, None
    for point in transfer.diversity_points():
        trained = {
            a: transfer.train_diversity(point, a, BUDGET, seed, checkpoint(point, a), progress)
            for a in LEARNERS
        }
        out[point] = shipped.runs(trained)
        length = trained["symla"][0].config.hyper()["lifetime"]
    return dict(points=out, lifetime=length)


def save(points: dict, folder, preset: str, seed: int, length: int) -> list[Path]:
    """Write every point's runs to <folder>/<point>/<method>_seed<s>.npz (`shipped.save`),
    recording the experiment, the preset of the run, its base seed, the meta-training lifetime,
    the point and BUDGET."""
    record = dict(experiment=EXPERIMENT, preset=preset, base_seed=seed, lifetime=length,
                  budget=BUDGET)  # fmt: skip
    return [
        path
        for point, runs in points.items()
        for path in shipped.save(runs, Path(folder) / point, dict(record, point=point))
    ]


def load(folder, preset: str = presets.SHIPPED) -> dict:
    """What `save` wrote to `folder`: {"points": {point: runs}, "seed", "files"}; the clear errors
    of `shipped.load` (a missing point names the command that writes it), and one when the
    points are not one run's."""
    found = {
        point: shipped.load(Path(folder) / point, EXPERIMENT, LEARNERS, preset)
        for point in transfer.diversity_points()
    }
    batch = {(f["lifetime"], f["seed"]) for f in found.values()}
    if len(batch) != 1:
        raise ValueError(f"{folder}: the diversity points are not one run's (lifetime, seed)")
    ((_, seed),) = batch
    files = [p for f in found.values() for p in f["files"]]
    return dict(points={p: f["runs"] for p, f in found.items()}, seed=seed, files=files)


def _tagged(points: dict) -> list[tuple]:
    return [
        (f"{m}{TAG}{p}", s, a, params) for p, runs in points.items() for m, s, a, params in runs
    ]


def _untag(df: pd.DataFrame) -> pd.DataFrame:
    parts = df["method"].str.partition(TAG)
    point = parts[2].where(parts[2] != "", None)
    return df.assign(method=parts[0], point=point)


def cartpole(points: dict, preset: str, seed: int, lrs=transfer.LRS) -> pd.DataFrame:
    """Every point's runs meta-tested on CartPole (projected to 16 dims) beside the random policy
    and REINFORCE, over the same test lifetimes (`transfer.meta_test` at `sizes(preset)`): one
    row per point x method x seed (point and seed NA for the fixed methods) with the means over
    test lifetimes of `early`, `late` and `gain` (`transfer.early_late`), `episodes`, and
    `late_sem` (the standard error of `late` over test lifetimes, a fixed method's spread)."""
    tables = transfer.meta_test(_tagged(points), sizes(preset), seed, lrs, [ENV])
    lives = _untag(tables["lifetimes"])
    keys = ["env", "point", "method", "seed"]
    groups = lives.groupby(keys, dropna=False, sort=False)
    out = groups[["episodes", "early", "late", "gain"]].mean()
    out["late_sem"] = groups["late"].agg(lambda v: evaluation.sem(v.dropna().to_numpy()))
    out = out.reset_index()
    return out.assign(test_lifetime=int(lives["test_lifetime"].iloc[0]), preset=sizes(preset))


def atlas_scores(points: dict, preset: str, seed: int, lrs=atlas_scoring.LRS, env_ids=ATLAS):
    """Every point's runs meta-tested on the atlas (`atlas_scoring.meta_test` at `sizes(preset)`): one
    row per point x method x seed, `score` the mean over environments of the atlas score (0 is
    random, 1 REINFORCE; environments without a score left out), `n_envs` how many had one and
    `learns` on how many the score is above 0."""
    lengths = atlas_scoring.lifetimes(env_ids, sizes(preset))
    n = presets.evaluation(sizes(preset))["atlas_tests"]
    _, rows, _ = atlas_scoring.meta_test(lengths, n, seed, _tagged(points), lrs)
    return per_run(atlas_scoring.scores(pd.DataFrame(rows))).assign(preset=sizes(preset))


def per_run(scored: pd.DataFrame) -> pd.DataFrame:
    """Atlas rows (env x tagged method x seed, with `score`) -> one row per point x method x
    seed: `score` the mean over its environments with a score, `n_envs` how many, `learns` on
    how many the score is above 0, `envs` how many environments were run."""
    df = _untag(scored)
    df = df[df["point"].notna()]
    out = df.groupby(["point", "method", "seed"], sort=False)["score"].agg(
        score="mean", n_envs="count", learns=lambda s: int((s > 0).sum())
    )
    out = out.reset_index()
    return out.assign(seed=out["seed"].astype(int), envs=scored["env"].nunique())


def check_shipped(preset: str, standard_dir) -> None:
    """Before any work: a clear error unless `standard_dir` holds what `shipped_run` reads at
    `preset`; nothing to check at a preset that ships none."""
    if presets.ships(preset):
        load(Path(standard_dir) / PARAMS)
        if not (Path(standard_dir) / ATLAS_CSV).is_file():
            raise FileNotFoundError(
                f"no {ATLAS_CSV} in {standard_dir}: `./run_all.sh --preset {presets.SHIPPED} "
                f"--only {EXPERIMENT}` writes it"
            )


def shipped_run(preset: str, standard_dir, lrs=transfer.LRS) -> dict | None:
    """At a preset that ships (`presets.ships`): the saved points meta-tested on CartPole
    (`cartpole`, with their run's base seed), the atlas scores their run wrote, and "files" (what
    was read). None at other presets."""
    if not presets.ships(preset):
        return None
    found = load(Path(standard_dir) / PARAMS)
    path = Path(standard_dir) / ATLAS_CSV
    return dict(
        cartpole=cartpole(found["points"], preset, found["seed"], lrs),
        atlas=pd.read_csv(path),
        files=[*found["files"], path],
    )
