"""The sentences under a notebook's figures: what to look at, every number read from the table the
figure draws (one function per figure, named after it; each returns Markdown)."""

import numpy as np
import pandas as pd

from symla_lite import verdict
from symla_lite.experiments.atlas import cells
from symla_lite.transfer import per_seed


def _mean_sem(values) -> str:
    m, s = verdict.across(values)
    return f"{m:.1f}" if not np.isfinite(s) else f"{m:.1f} ± {s:.1f}"


def ablations_curves(training: pd.DataFrame) -> str:
    """Per setting, the variant whose mean fitness per step rose most from its first to its last
    generation (mean over seeds)."""
    out = []
    for setting, g in training.groupby("setting", sort=False):
        first = g[g["generation"] == g["generation"].min()]
        last = g[g["generation"] == g["generation"].max()]
        keys = ["variant", "seed"]
        gain = last.set_index(keys)["mean_fitness"] - first.set_index(keys)["mean_fitness"]
        per = (gain / g["lifetime"].iloc[0]).groupby(level="variant", sort=False).mean()
        out.append(f"{setting}: {per.idxmax()} (+{per.max():.3f} per step)")
    return (
        "Look for the curves that keep rising: a variant that meta-learns its setting climbs "
        "away from 0. Most gain from the first to the last generation, mean over seeds: "
        + "; ".join(out)
        + "."
    )


def ablations_meta_test(tests: pd.DataFrame) -> str:
    """Per setting, the best and the worst variant by the mean meta-test score over seeds."""
    out = []
    for setting, g in tests.groupby("setting", sort=False):
        per = g.groupby("variant", sort=False)["score"].mean()
        out.append(
            f"{setting}: best {per.idxmax()} ({per.max():.2f}), worst {per.idxmin()} "
            f"({per.min():.2f})"
        )
    return (
        "Each point is one meta-training seed on fresh test lifetimes; the spread between seeds "
        "is what decides a verdict. Mean score per variant: " + "; ".join(out) + "."
    )


def atlas(table: pd.DataFrame) -> str:
    """How many environments each meta-learned method learns on (late above early by more than
    2 standard errors) and how many it has a score on."""
    c = cells(table)
    parts = []
    for method, g in c.groupby("method", sort=False):
        ran = g[g["status"] != "cannot run"]
        parts.append(f"{method} learns on {int(ran['learns'].sum())} of {len(ran)}")
    return (
        "Look for marked cells (late return above early by more than 2 standard errors) and "
        f"scores near 1 (REINFORCE's late return). Of {c['env'].nunique()} environments: "
        + "; ".join(parts)
        + "."
    )


def bandits_training(training: pd.DataFrame) -> str:
    """The last generation's mean fitness per method and training distribution (mean over
    seeds)."""
    last = training[training["generation"] == training["generation"].max()]
    per = last.groupby(["method", "train_dist"], sort=False)["mean_fitness"].mean()
    parts = [f"{m} on {d} {v:.1f}" for (m, d), v in per.items()]
    return (
        "Every line should level off: meta-training has converged when the population's fitness "
        "stops rising. Last generation's mean fitness: " + "; ".join(parts) + "."
    )


def bandits_regret(curves: pd.DataFrame) -> str:
    """Per test distribution, the method with the lowest cumulative regret at the last step
    (meta-learned: the mean over seeds)."""
    last = curves[curves["step"] == curves["step"].max()]
    per = last.groupby(["test_dist", "method"], sort=False)["cum_regret_mean"].mean()
    parts = []
    for dist, g in per.groupby(level="test_dist", sort=False):
        g = g.droplevel("test_dist")
        symla = f", symla {g['symla']:.2f}" if "symla" in g and g.idxmin() != "symla" else ""
        parts.append(f"{dist}: {g.idxmin()} ({g.min():.2f}{symla})")
    return (
        "A learner bends its curve flat as it settles on the better arm; the lower the end "
        f"point, the better. Lowest regret after {int(curves['step'].max())} steps: "
        + "; ".join(parts)
        + "."
    )


def bandits_transfer(transfer: pd.DataFrame) -> str:
    """Per meta-learned method, its mean regret on the distribution it was trained on and off
    it."""
    df = transfer.groupby(["method", "train_dist", "test_dist"], sort=False)["regret_mean"].mean()
    df = df.reset_index()
    same = df["train_dist"] == df["test_dist"]
    parts = [
        f"{m}: {g.loc[same[g.index], 'regret_mean'].mean():.2f} as trained, "
        f"{g.loc[~same[g.index], 'regret_mean'].mean():.2f} off its training distribution"
        for m, g in df.groupby("method", sort=False)
    ]
    return (
        "The diagonal is each learner in distribution, the rest is transfer; a learner that "
        "generalises keeps its row even. Mean regret: " + "; ".join(parts) + "."
    )


def claims_glance(table: pd.DataFrame) -> str:
    """The verdicts' counts and the claim farthest from 0 either way."""
    counts = table["verdict"].value_counts()
    z = pd.to_numeric(table["z"], errors="coerce").replace([np.inf, -np.inf], np.nan)
    parts = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in verdict.VERDICTS)
    text = (
        f"Points right of +2 are reproduced, left of −2 not reproduced. Of {len(table)} "
        f"claims: {parts}."
    )
    if z.notna().any():
        top, low = table.loc[z.idxmax()], table.loc[z.idxmin()]
        text += (
            f' Farthest right: "{top["claim"]}" (z {z.max():.1f}); farthest left: '
            f'"{low["claim"]}" (z {z.min():.1f}).'
        )
    return text


def claims_panels(table: pd.DataFrame) -> str:
    """How many claims have SymLA's interval clear of the baseline's, per verdict."""
    apart = (table["symla"] - table["baseline"]).abs() > 2 * np.hypot(
        table["symla_sem"].fillna(0), table["baseline_sem"].fillna(0)
    )
    return (
        "Where the filled circle's and the open square's ±2 standard-error bars do not overlap "
        f"the numbers differ; on {int(apart.sum())} of {len(table)} claims the two lie more than 2 "
        "combined standard errors apart (a verdict also asks for the claimed direction and the "
        "smallest effect that matters)."
    )


def held_out(lifetimes: pd.DataFrame) -> str:
    """Per environment, each method's late return per episode and its late-minus-early gain
    (meta-learned: mean ± standard error across seeds)."""
    out = []
    for env_id, g in lifetimes.groupby("env", sort=False):
        parts = []
        for method, m in g.groupby("method", sort=False):
            if m["seed"].notna().any():
                late, gain = (_mean_sem(per_seed(m, c)) for c in ("late", "gain"))
            else:
                late, gain = f"{m['late'].mean():.1f}", f"{m['gain'].mean():.1f}"
            parts.append(f"{method} {late} (gain {gain})")
        out.append(f"- {env_id}: " + "; ".join(parts))
    return (
        "A learner across episodes slopes up in the top row and sits above 0 in the bottom row. "
        "Late return per episode, and late minus early:\n" + "\n".join(out)
    )


def tour_regret(summary: pd.DataFrame) -> str:
    """Each learner's regret over the lifetime."""
    parts = [f"{r.method} {r.regret_mean:.2f} ± {r.regret_sem:.2f}" for r in summary.itertuples()]
    return (
        "Lower is better, and a curve that flattens has found the better arm. Regret over "
        f"{int(summary['horizon'].iloc[0])} steps: " + "; ".join(parts) + "."
    )


def unseen_observations(results: pd.DataFrame) -> str:
    """Falls per lifetime by setting and method (meta-learned: mean ± standard error across
    seeds)."""
    out = []
    for setting, g in results.groupby("setting", sort=False):
        parts = []
        for method, m in g.groupby("method", sort=False):
            v = m["falls_mean"]
            parts.append(
                f"{method} {_mean_sem(v) if m['seed'].notna().any() else f'{v.mean():.1f}'}"
            )
        out.append(f"{setting}: " + ", ".join(parts))
    return (
        "Fewer falls is better; SymLA's bars should not move when the inputs are permuted. "
        "Falls per lifetime: " + "; ".join(out) + "."
    )


def unseen_tasks(counts: pd.DataFrame) -> str:
    """SymLA's hearts and traps in the second half of a lifetime, as trained and swapped."""
    g = counts[(counts["method"] == "symla") & (counts["part"] == "second_half")]
    out = []
    for setting, s in g.groupby("setting", sort=False):
        hearts = s.loc[s["object"] == "heart", "count_mean"]
        traps = s.loc[s["object"] == "trap", "count_mean"]
        out.append(f"{setting}: {_mean_sem(hearts)} hearts, {_mean_sem(traps)} traps")
    return (
        "Look at the second half of each lifetime: a learner collects what pays there, whichever "
        "object it is. SymLA, second half: " + "; ".join(out) + "."
    )
