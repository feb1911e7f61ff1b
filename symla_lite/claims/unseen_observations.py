"""The unseen-observations claims: claims-table rows over meta-training seeds, and their words."""

import numpy as np
import pandas as pd

from symla_lite import verdict
from symla_lite.experiments.unseen_observations import EXPERIMENT, METHODS, SETTINGS

PERMUTED = {  # setting -> what is permuted, in the claim's words
    "obs_permuted": "observations",
    "actions_permuted": "actions",
    "both_permuted": "observations and actions",
}
KEEPS = "SymLA keeps its return per lifetime, MetaRNN loses it"
LEARNS = "SymLA learns CartPole: falls per lifetime below random's"
HALF = "SymLA learns CartPole: falls per lifetime at most half of random's"


def per_seed(df: pd.DataFrame, method: str, setting: str, column: str) -> pd.Series:
    """`column` of a meta-learned method in one setting, one value per seed (indexed by seed)."""
    sub = df[(df["method"] == method) & (df["setting"] == setting)]
    return sub.set_index("seed")[column].sort_index().astype(np.float64)


def drop(df: pd.DataFrame, method: str, setting: str) -> np.ndarray:
    """Per seed: return per lifetime as trained minus return per lifetime in `setting`."""
    base = per_seed(df, method, "as_trained", "return_mean")
    return (base - per_seed(df, method, setting, "return_mean")).loc[base.index].to_numpy()


def rows(tables: dict, preset: str) -> list[dict]:
    """The experiment's claims-table rows (`verdict.row`) from run()'s tables."""
    df = tables["results"]
    out = []
    for setting, what in PERMUTED.items():
        out.append(
            verdict.row(
                verdict.named(f"{what} permuted: {KEEPS}", preset),
                EXPERIMENT,
                f"drop in return per lifetime from as trained to {what} permuted "
                "(per meta-training seed; SymLA's drop vs MetaRNN's)",
                drop(df, "symla", setting),
                verdict.across(drop(df, "metarnn", setting)),
                "lower",
                preset,
            )
        )
    falls = per_seed(df, "symla", "as_trained", "falls_mean").to_numpy()
    rnd = df[(df["method"] == "random") & (df["setting"] == "as_trained")].iloc[0]
    metric = (
        "falls (episodes ended by the pole falling) per lifetime as trained "
        "(SymLA per meta-training seed vs the random policy over test lifetimes{})"
    )
    r, r_sem = float(rnd["falls_mean"]), float(rnd["falls_sem"])
    out.append(
        verdict.row(
            verdict.named(LEARNS, preset),
            EXPERIMENT,
            metric.format(""),
            falls,
            (r, r_sem),
            "lower",
            preset,
        )
    )
    out.append(
        verdict.row(
            verdict.named(HALF, preset),
            EXPERIMENT,
            metric.format(", halved"),
            falls,
            (r / 2, r_sem / 2),
            "lower",
            preset,
        )
    )
    return out


def summary(df: pd.DataFrame, value: str = "return") -> pd.DataFrame:
    """Per method x setting: mean of `value`_mean over seeds and its standard error across seeds
    (the random policy, not meta-trained: its mean and SE over test lifetimes), n_seeds."""
    return verdict.over_seeds(df, ["method", "setting"], f"{value}_mean", f"{value}_sem")


def through_lifetime(parts: pd.DataFrame) -> str:
    """Markdown: falls in each part of the lifetime as trained, per method (mean over seeds), and
    whether SymLA's fall less in the last part than in the second (improving through the
    lifetime; the first part is lower for any policy)."""
    sub = parts[parts["setting"] == "as_trained"]
    mean = sub.groupby(["method", "part"])["falls_mean"].mean()
    lines = [
        f"- {m}: falls per part " + ", ".join(f"{v:.2f}" for v in mean.loc[m])
        for m in (*METHODS, "random")
    ]
    sym = sub[sub["method"] == "symla"].pivot(index="seed", columns="part", values="falls_mean")
    drop, se = verdict.across(sym[sym.columns[1]] - sym[sym.columns[-1]])
    learns = drop > 2 * se
    lines.append(
        f"\nSymLA's falls from the second part to the last drop by {drop:.2f} ± {se:.2f} (mean ± "
        "SE across seeds): "
        + (
            "a fall rate that decreases through the lifetime: it keeps learning within it."
            if learns
            else "no decrease beyond 2 standard errors. Whatever SymLA infers within a lifetime (by "
            "its symmetries it must find out from experience which action does what) it infers "
            "early; it does not keep improving through the lifetime."
        )
    )
    return "\n".join(lines)


def claims(rows: list[dict], df: pd.DataFrame) -> str:
    """Markdown: the return per lifetime by method and setting (mean ± SE across seeds, from
    `df`), and every claim with its verdict, read from `rows`."""
    t = summary(df).set_index(["method", "setting"])
    lines = []
    for method in (*METHODS, "random"):
        cells = [
            f"{s} {t.loc[(method, s), 'mean']:.1f} ± {t.loc[(method, s), 'sem']:.1f}"
            for s in SETTINGS
        ]
        lines.append(f"- {method}: return per lifetime " + ", ".join(cells))
    lines += [
        "",
        "Mean ± SE across meta-training seeds (random policy: across test lifetimes).",
        "",
        *(verdict.line(r) for r in rows),
    ]
    learns = next(r for r in rows if r["claim"] == verdict.named(LEARNS, r["preset"]))
    if learns["verdict"] != "reproduced":
        lines += [
            "",
            f"SymLA's falls are not reliably below the random policy's ({learns['verdict']}), so "
            "SymLA keeping its return under permutation says little here.",
        ]
    return "\n".join(lines)
