"""The verdict rule for a claim, and the claims table `results/claims.csv` that notebooks write.

Every claim compares SymLA with a baseline on one metric, in a claimed direction ("lower" or
"higher": SymLA's number below or above the baseline's). SymLA's number is its mean over
meta-training seeds with the standard error across seeds; a meta-learned baseline's likewise; a
fixed baseline (no meta-training) gives its mean over test lifetimes with that standard error.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd

from symla_lite import io, presets

COLUMNS = (
    "claim",
    "experiment",
    "metric",
    "symla",
    "symla_sem",
    "baseline",
    "baseline_sem",
    "n_seeds",
    "preset",
    "verdict",
    "direction",
    "z",
    "min_effect",
)
# The columns a claims table must have; `direction`, `z` (RULE's z-score) and `min_effect` (the
# smallest effect that matters, where a claim states one) came later, and a table written before
# them reads with them empty.
REQUIRED = COLUMNS[:10]
VERDICTS = ("reproduced", "not_reproduced", "inconclusive")
MIN_SEEDS = 3
THRESHOLD = 2.0
FILE = "claims.csv"
SUFFIX = "_claims.csv"  # each experiment notebook's own rows: results/<experiment>_claims.csv
# The order of the experiments' rows in the table, whichever notebook ran last.
ORDER = (
    "bandits",
    "unseen_observations",
    "unseen_tasks",
    "unseen_environments",
    "generalist",
    "ablations",
    "atlas",
)
# What each experiment's rows are called in the claims table and its figure.
TITLES = {
    "bandits": "Bandits (unseen action spaces)",
    "unseen_observations": "Unseen observation spaces (CartPole)",
    "unseen_tasks": "Unseen tasks (grid world)",
    "unseen_environments": "Unseen environments (grid world to classic control)",
    "generalist": "The generalist (a mixture of task families to classic control)",
    "ablations": "Ablations",
    "atlas": "Generalisation atlas",
}

RULE = (
    "A claim's effect is SymLA's number minus the baseline's, signed so that the claimed "
    "direction is positive; its standard error is sqrt(symla_sem^2 + baseline_sem^2), where "
    "SymLA's (and a meta-learned baseline's) standard error is across meta-training seeds and a "
    "fixed baseline's is across test lifetimes. z = effect / standard error. **reproduced**: z >= 2 "
    "(the effect is beyond 2 standard errors in the claimed direction); **not_reproduced**: "
    "z <= -2 (beyond 2 standard errors the other way); **inconclusive**: otherwise, or with fewer "
    f"than {MIN_SEEDS} meta-training seeds. A transfer claim also states the **smallest effect "
    "that matters** (min_effect, in the metric's units; a tenth of REINFORCE's effect over random "
    "on the same test lifetimes, `min_effect`): it is reproduced only if its effect also reaches "
    "min_effect, and not_reproduced if its effect lies more than 2 standard errors below min_effect."
)
MIN_EFFECT_FRACTION = 0.1  # of REINFORCE's effect over random: the smallest transfer that matters


def z_score(symla, symla_sem, baseline, baseline_sem, direction: str) -> float:
    """The signed effect in standard errors (see RULE); +inf/-inf for an exact effect without
    spread, NaN for no effect without spread or a missing number."""
    if direction not in ("lower", "higher"):
        raise ValueError(f"direction must be 'lower' or 'higher', got {direction!r}")
    effect = (symla - baseline) if direction == "higher" else (baseline - symla)
    se = math.hypot(symla_sem, baseline_sem)
    if not np.isfinite(effect) or not np.isfinite(se):
        return float("nan")
    if se == 0:
        return math.copysign(math.inf, effect) if effect else float("nan")
    return float(effect / se)


def verdict(
    symla,
    symla_sem,
    baseline,
    baseline_sem,
    direction: str,
    n_seeds: int,
    min_effect: float = math.nan,
) -> str:
    """`reproduced`, `not_reproduced` or `inconclusive` by RULE (min_effect NaN: none stated)."""
    z = z_score(symla, symla_sem, baseline, baseline_sem, direction)
    if n_seeds < MIN_SEEDS or math.isnan(z):
        return "inconclusive"
    if z <= -THRESHOLD:
        return "not_reproduced"
    if math.isnan(min_effect):
        return "reproduced" if z >= THRESHOLD else "inconclusive"
    effect = (symla - baseline) if direction == "higher" else (baseline - symla)
    se = math.hypot(symla_sem, baseline_sem)
    if z >= THRESHOLD and effect >= min_effect:
        return "reproduced"
    if effect + THRESHOLD * se < min_effect:
        return "not_reproduced"
    return "inconclusive"


def min_effect(reinforce: float, random: float, direction: str = "higher") -> float:
    """The smallest effect that matters for a transfer claim against the random policy:
    MIN_EFFECT_FRACTION of REINFORCE's effect over random in the claimed direction, on the same
    test lifetimes and metric; 0 where REINFORCE does not beat random (then any effect counts)."""
    effect = (reinforce - random) if direction == "higher" else (random - reinforce)
    if not np.isfinite(effect):
        return math.nan
    return float(MIN_EFFECT_FRACTION * max(effect, 0.0))


def named(claim: str, preset: str) -> str:
    """A claim's name at `preset`: at the SHIPPED preset, whose rows a smaller preset's claims
    table also holds (`presets.ships`), the claim names the preset."""
    return f"{claim} ({preset} preset)" if preset == presets.SHIPPED else claim


def title(experiment: str) -> str:
    """How the claims table and its figure name an experiment."""
    return TITLES.get(experiment, experiment.replace("_", " ").capitalize())


def across(values) -> tuple[float, float]:
    """(mean, standard error) of per-seed values (the SE is NaN for one seed)."""
    v = np.asarray(values, np.float64)
    sem = float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")
    return float(v.mean()), sem


def row(
    claim: str,
    experiment: str,
    metric: str,
    symla_seeds,
    baseline: tuple[float, float],
    direction: str,
    preset: str,
    min_effect: float | None = None,
) -> dict:
    """One claims-table row: SymLA's per-seed values `symla_seeds` against `baseline` = (value,
    standard error), e.g. `across(per_seed_values)` of a meta-learned baseline; `min_effect`, the
    smallest effect that matters (None: none stated)."""
    symla_seeds = np.asarray(symla_seeds, np.float64)
    if symla_seeds.ndim != 1 or symla_seeds.size == 0:
        raise ValueError(f"claim {claim!r}: SymLA needs a 1-d array of per-seed values")
    mean, sem = across(symla_seeds)
    b, b_sem = (float(x) for x in baseline)
    n = int(symla_seeds.size)
    z = z_score(mean, sem if n > 1 else math.nan, b, b_sem, direction)
    least = math.nan if min_effect is None else float(min_effect)
    return dict(
        claim=claim,
        experiment=experiment,
        metric=metric,
        symla=mean,
        symla_sem=sem,
        baseline=b,
        baseline_sem=b_sem,
        n_seeds=n,
        preset=preset,
        verdict=verdict(mean, sem if n > 1 else math.nan, b, b_sem, direction, n, least),
        direction=direction,
        z=z,
        min_effect=least,
    )


def over_seeds(df: pd.DataFrame, keys: list[str], value: str, sem: str) -> pd.DataFrame:
    """Per group of `keys`: `value` averaged over the rows' meta-training seeds with its standard
    error across seeds (`across`); a method that is not meta-trained (empty `seed`) keeps its own
    `value` and `sem` (over test lifetimes). Columns: keys, mean, sem, n_seeds (0 if fixed)."""
    out = []
    for k, g in df.groupby(keys, sort=False):
        if g["seed"].isna().all():
            m, s, n = float(g[value].iloc[0]), float(g[sem].iloc[0]), 0
        else:
            (m, s), n = across(g[value]), len(g)
        out.append(
            dict(zip(keys, k if isinstance(k, tuple) else (k,))) | dict(mean=m, sem=s, n_seeds=n)
        )
    return pd.DataFrame(out)


def line(row: dict) -> str:
    """A claims row as one markdown bullet: claim, metric, both numbers, seeds, verdict."""
    return (
        f"- {row['claim']} — {row['metric']}: SymLA {row['symla']:.2f} ± {row['symla_sem']:.2f} "
        f"vs {row['baseline']:.2f} ± {row['baseline_sem']:.2f} ({row['n_seeds']} seeds): "
        f"**{row['verdict']}**"
    )


def table(rows) -> pd.DataFrame:
    """The rows as a claims table with exactly COLUMNS."""
    df = pd.DataFrame(list(rows), columns=list(COLUMNS))
    bad = set(df["verdict"]) - set(VERDICTS)
    if bad:
        raise ValueError(f"unknown verdicts {sorted(bad)}")
    return df


def read(results_dir) -> pd.DataFrame:
    """The claims table of a results folder; a clear error if it is missing or malformed."""
    path = Path(results_dir) / FILE
    if not path.exists():
        raise FileNotFoundError(f"no claims table at {path}: run the notebooks (./run_all.sh)")
    return complete(pd.read_csv(path), path)


def complete(df: pd.DataFrame, path) -> pd.DataFrame:
    """A claims table read from `path` with exactly COLUMNS: a clear error if one of REQUIRED is
    missing; `direction` and `z` empty where the file predates them."""
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(f"{path} lacks the columns {missing} (a claims file has {list(COLUMNS)})")
    for c in COLUMNS[len(REQUIRED) :]:
        if c not in df.columns:
            df[c] = math.nan
    return df[list(COLUMNS)]


def update(results_dir, experiment: str, rows: pd.DataFrame) -> pd.DataFrame:
    """Replace `experiment`'s rows of results_dir/claims.csv by `rows` (written atomically; the
    other experiments' rows are kept in their order). Returns the whole table."""
    rows = table(rows.to_dict("records"))
    if (rows["experiment"] != experiment).any():
        raise ValueError(f"rows of another experiment given to update({experiment!r})")
    path = Path(results_dir) / FILE
    old = read(results_dir) if path.exists() else table([])
    kept = old[old["experiment"] != experiment]
    new = pd.concat([kept, rows], ignore_index=True) if len(kept) else rows
    rank = {e: i for i, e in enumerate(ORDER)}
    new = new.sort_values(
        "experiment", key=lambda s: s.map(lambda e: rank.get(e, len(rank))), kind="stable"
    ).reset_index(drop=True)
    io.write_csv(new, path)
    return new
