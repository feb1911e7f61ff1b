"""Compare two results folders: claim by claim (verdicts and values), then the per-seed CSVs.

    python -m symla_lite.compare A B

(a) Claims: A/claims.csv and B/claims.csv joined on `claim`. A claim agrees when it is in both,
its verdicts are equal, and its value agrees. A claim's value is what its verdict is read from
(`verdict.RULE`): the effect, SymLA's number minus the baseline's, with the standard error
sqrt(symla_sem^2 + baseline_sem^2). The two folders' effects agree when z = (effect_A -
effect_B) / sqrt(se_A^2 + se_B^2) lies within ± the two-sided 95% critical value of Welch's t
test, with the Welch-Satterthwaite degrees of freedom from the two standard errors and
`n_seeds` (2.78 for two folders of 3 seeds with equal spread; 1.96 as the seeds grow): with 3
seeds a standard error is itself uncertain, and a fixed ±2 would call 12% of pairs of samples of
one normal distribution different (this test: 4%, simulated). Equal values agree whatever their standard
errors (zero or NaN); unequal values with a NaN standard error, or a zero one, disagree.
SymLA's and the baseline's own z-scores are printed too, for information: a number near zero
whose spread across seeds is tiny (SymLA's drop in return under a permutation it is invariant
to, which only float32 rounding makes non-zero) can differ between machines beyond its spread
while the claim's effect agrees.

(b) Per-seed numbers, for every CSV in both folders with a `seed` column. A row is identified by
its key columns plus its occurrence number among rows with the same keys (rows are matched in
order). The key columns, found from the columns' types as pandas reads the CSV: `seed`, and every
column that is not a float column, i.e. strings, booleans and integers (a column written without
decimal points: labels such as generation, step, episode, horizon, n_lifetimes); every float
column is a number to compare. Reported per CSV: rows matched and rows in one folder only;
numbers bitwise equal and differing; and for each group of rows across seeds (same keys but seed)
and each number column, z = (mean_A - mean_B) / sqrt(se_A^2 + se_B^2) with the standard errors
across seeds, counting how many |z| exceed the same critical value (a NaN z counts as exceeding).

Exit status: 0 when every claim agrees, 1 otherwise (the per-seed part is reported, not judged),
2 on bad input (a missing folder or claims table).
"""

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from symla_lite import verdict

LEVEL = 0.95  # two-sided
OCC = "_occurrence"


def z_between(a, sem_a, b, sem_b) -> float:
    """(a - b) / sqrt(sem_a^2 + sem_b^2): 0 for equal values (both NaN included), +-inf for
    unequal values without spread, NaN for a missing value or standard error."""
    a, sem_a, b, sem_b = (float(x) for x in (a, sem_a, b, sem_b))
    if a == b or (math.isnan(a) and math.isnan(b)):
        return 0.0
    se = math.hypot(sem_a, sem_b)
    if math.isnan(a - b) or math.isnan(se):
        return float("nan")
    if se == 0:
        return math.copysign(math.inf, a - b)
    return (a - b) / se


def critical(sem_a, sem_b, n_a, n_b) -> float:
    """Two-sided critical value of Welch's t at LEVEL for a difference of two means with standard
    errors sem_a, sem_b over n_a, n_b seeds (Welch-Satterthwaite degrees of freedom); the normal
    one where the degrees of freedom are undefined (both standard errors zero)."""
    sem_a, sem_b, n_a, n_b = (float(x) for x in (sem_a, sem_b, n_a, n_b))
    num = (sem_a**2 + sem_b**2) ** 2
    den = sem_a**4 / max(n_a - 1, 1) + sem_b**4 / max(n_b - 1, 1)
    dof = num / den if den > 0 else math.inf
    q = 0.5 + LEVEL / 2
    return float(stats.norm.ppf(q) if math.isinf(dof) or math.isnan(dof) else stats.t.ppf(q, dof))


def agrees(z: float, crit: float) -> bool:
    return not math.isnan(z) and abs(z) <= crit


# ---------------------------------------------------------------------------------------------
# (a) claims


def compare_claims(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Per claim (A's order, then B's own): both verdicts, the z-scores of SymLA's, the
    baseline's and the effect's differences, the effect's critical value, and whether it agrees."""
    ra = {r["claim"]: r for r in a.to_dict("records")}
    rb = {r["claim"]: r for r in b.to_dict("records")}
    rows = []
    for claim in [*ra, *(c for c in rb if c not in ra)]:
        x, y = ra.get(claim), rb.get(claim)
        if x is None or y is None:
            rows.append(
                dict(
                    claim=claim,
                    verdict_a=x["verdict"] if x else "(absent)",
                    verdict_b=y["verdict"] if y else "(absent)",
                    z_symla=math.nan,
                    z_baseline=math.nan,
                    z_effect=math.nan,
                    critical=math.nan,
                    agree=False,
                )
            )
            continue
        z = {k: z_between(x[k], x[f"{k}_sem"], y[k], y[f"{k}_sem"]) for k in ("symla", "baseline")}
        effect, se = [], []
        for r in (x, y):
            effect.append(r["symla"] - r["baseline"])
            se.append(math.hypot(r["symla_sem"], r["baseline_sem"]))
        z_effect = z_between(effect[0], se[0], effect[1], se[1])
        crit = critical(*se, x["n_seeds"], y["n_seeds"])
        same = x["verdict"] == y["verdict"]
        rows.append(
            dict(
                claim=claim,
                verdict_a=x["verdict"],
                verdict_b=y["verdict"],
                z_symla=z["symla"],
                z_baseline=z["baseline"],
                z_effect=z_effect,
                critical=crit,
                agree=bool(same and agrees(z_effect, crit)),
            )
        )
    cols = ["claim", "verdict_a", "verdict_b", "z_symla", "z_baseline", "z_effect", "critical"]
    cols.append("agree")
    return pd.DataFrame(rows, columns=cols)


# ---------------------------------------------------------------------------------------------
# (b) per-seed CSVs


def key_columns(df: pd.DataFrame) -> list[str]:
    """`seed` and every column that is not a float column (see the module docstring)."""
    return [c for c in df.columns if c == "seed" or not pd.api.types.is_float_dtype(df[c])]


def _with_occurrence(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    df = df.copy()
    df[OCC] = df.groupby(keys, dropna=False, sort=False).cumcount() if keys else range(len(df))
    return df


def _bitwise_equal(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x, y = x.astype(np.float64), y.astype(np.float64)
    return (x.view(np.int64) == y.view(np.int64)) | (np.isnan(x) & np.isnan(y))


def _across_seeds(df: pd.DataFrame, groups: list[str], values: list[str]) -> pd.DataFrame:
    """Per group: each value column's mean (`<column>|mean`), standard error across seeds
    (`|se`) and count (`|n`), over the rows with a seed."""
    g = df[df["seed"].notna()].groupby(groups, dropna=False, sort=False)[values]
    n = g.count()
    parts = {"mean": g.mean(), "se": g.std(ddof=1) / np.sqrt(n), "n": n}
    out = pd.concat([p.add_suffix(f"|{k}") for k, p in parts.items()], axis=1)
    return out.reset_index()


def compare_csv(a: pd.DataFrame, b: pd.DataFrame) -> dict:
    """One per-seed CSV in both folders: row matching, bitwise equality, z across seeds."""
    common = [c for c in a.columns if c in b.columns]
    keys = sorted(set(key_columns(a[common])) | set(key_columns(b[common])), key=common.index)
    values = [c for c in common if c not in keys]
    a, b = _with_occurrence(a[common], keys), _with_occurrence(b[common], keys)
    on = [*keys, OCC]
    m = a.merge(b, on=on, how="outer", suffixes=("_a", "_b"), indicator=True)
    both = m[m["_merge"] == "both"]
    equal = sum(
        int(_bitwise_equal(both[f"{c}_a"].to_numpy(), both[f"{c}_b"].to_numpy()).sum())
        for c in values
    )
    groups = [k for k in on if k != "seed"]
    s = _across_seeds(a, groups, values).merge(
        _across_seeds(b, groups, values), on=groups, how="inner", suffixes=("_a", "_b")
    )
    zs, outside = [], 0
    for c in values:
        cols = [f"{c}|{k}{x}" for k in ("mean", "se", "n") for x in ("_a", "_b")]
        for mean_a, mean_b, se_a, se_b, n_a, n_b in s[cols].itertuples(index=False):
            if n_a >= 2 and n_b >= 2:
                zs.append(z_between(mean_a, se_a, mean_b, se_b))
                outside += not agrees(zs[-1], critical(se_a, se_b, n_a, n_b))
    zs = np.asarray(zs, np.float64)
    finite = np.abs(zs[~np.isnan(zs)])
    return dict(
        rows=len(both),
        only_a=int((m["_merge"] == "left_only").sum()),
        only_b=int((m["_merge"] == "right_only").sum()),
        equal=equal,
        differ=len(both) * len(values) - equal,
        z_tested=len(zs),
        z_outside=outside,
        max_abs_z=float(finite.max()) if finite.size else math.nan,
        keys=" ".join(k for k in keys if k != "seed") or "(none)",
    )


def compare_csvs(dir_a: Path, dir_b: Path) -> tuple[pd.DataFrame, list[str]]:
    """compare_csv for every CSV with a `seed` column in both folders; notes on the others."""
    rows, notes = [], []
    names_a = {p.name for p in dir_a.glob("*.csv") if not p.name.startswith(".")}
    names_b = {p.name for p in dir_b.glob("*.csv") if not p.name.startswith(".")}
    for side, only in (("A", names_a - names_b), ("B", names_b - names_a)):
        if only:
            notes.append(f"CSVs only in {side}: {', '.join(sorted(only))}")
    for name in sorted(names_a & names_b):
        a, b = pd.read_csv(dir_a / name), pd.read_csv(dir_b / name)
        if "seed" not in a.columns or "seed" not in b.columns:
            continue
        if set(a.columns) != set(b.columns):
            notes.append(f"{name}: columns differ; only the common ones are compared")
        try:
            rows.append({"csv": name, **compare_csv(a, b)})
        except (ValueError, TypeError) as e:  # e.g. a key column of another type in B
            notes.append(f"{name}: not compared ({e})")
    cols = ["csv", "rows", "only_a", "only_b", "equal", "differ", "z_tested", "z_outside"]
    return pd.DataFrame(rows, columns=[*cols, "max_abs_z", "keys"]), notes


# ---------------------------------------------------------------------------------------------
# The command


def read_claims(folder: Path) -> pd.DataFrame:
    if not folder.is_dir():
        raise FileNotFoundError(f"no results folder {folder}")
    return verdict.read(folder)


def report(dir_a: Path, dir_b: Path, out=sys.stdout) -> int:
    """Print the comparison of two results folders; the exit status (see the module docstring)."""
    try:
        ca, cb = read_claims(dir_a), read_claims(dir_b)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    claims = compare_claims(ca, cb)
    per_csv, notes = compare_csvs(dir_a, dir_b)
    w = dict(file=out)
    print(f"A = {dir_a}\nB = {dir_b}\n", **w)
    presets = sorted(set(ca["preset"].astype(str))), sorted(set(cb["preset"].astype(str)))
    if presets[0] != presets[1]:
        print(f"note: presets differ: A {presets[0]}, B {presets[1]}\n", **w)
    shown = claims.rename(
        columns={
            "verdict_a": "verdict A",
            "verdict_b": "verdict B",
            "z_symla": "z symla",
            "z_baseline": "z baseline",
            "z_effect": "z effect",
            "critical": "|z effect| <=",
        }
    )
    shown["agree"] = shown["agree"].map({True: "yes", False: "NO"})
    with pd.option_context("display.width", 250, "display.max_colwidth", 80):
        if len(shown):
            width = int(shown["claim"].str.len().max())  # claims left-aligned, header too
            shown["claim"] = shown["claim"].str.ljust(width)
            shown = shown.rename(columns={"claim": "claim".ljust(width)})
            print(shown.to_string(index=False, float_format=lambda x: f"{x:+.2f}"), **w)
        bad = claims.loc[~claims["agree"], "claim"].tolist()
        print(f"\n{len(claims) - len(bad)} of {len(claims)} claims agree.", **w)
        for c in bad:
            print(f"  differs: {c}", **w)
        print(
            "\nPer-seed CSVs (numbers bitwise equal / differing; z of the means across seeds, outside"
            " Welch's 95% critical value):",
            **w,
        )
        if len(per_csv):
            print(per_csv.to_string(index=False, float_format=lambda x: f"{x:.2f}"), **w)
        else:
            print("  no CSV with a `seed` column in both folders", **w)
        for note in notes:
            print(f"note: {note}", **w)
    return 0 if claims["agree"].all() else 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m symla_lite.compare",
        description="Compare two results folders: claims (verdicts, values) and per-seed CSVs.",
    )
    ap.add_argument("a", type=Path, help="a results folder (holding claims.csv)")
    ap.add_argument("b", type=Path, help="another results folder")
    args = ap.parse_args(argv)
    return report(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
