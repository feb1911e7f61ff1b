"""The diversity curve in words, every number read from its tables (`experiments.diversity`).

On CartPole a point's learner "ends above random" by the verdict rule of the transfer claims
(`verdict.verdict` against the random policy, with the smallest effect that matters from
REINFORCE's on the same test lifetimes), over its meta-training seeds.
"""

import numpy as np
import pandas as pd

from symla_lite import verdict
from symla_lite.experiments.diversity import axes

NAMES = {"symla": "SymLA", "metarnn": "MetaRNN"}
FAMILY_LABELS = {1.0: "grid world only", 2.0: "+ bandits", 3.0: "+ random MDPs",
                 4.0: "+ random control (the generalist's mixture)"}  # fmt: skip


def _x_label(axis: str, x: float) -> str:
    if axis == "families":
        return FAMILY_LABELS.get(x, f"{x:g} families")
    return "fresh tasks" if np.isinf(x) else f"{x:g} task{'s' * (x != 1)} per family"


def baselines(cartpole: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """The fixed methods' rows (random, REINFORCE; indexed by method) and the smallest effect
    that matters against random (`verdict.min_effect` from REINFORCE's late return)."""
    fixed = cartpole[cartpole["point"].isna()].set_index("method")
    return fixed, verdict.min_effect(fixed.loc["reinforce", "late"], fixed.loc["random", "late"])


def summary(cartpole: pd.DataFrame, atlas: pd.DataFrame) -> pd.DataFrame:
    """One row per axis x point x learner: CartPole's late return (mean ± standard error across
    seeds), its verdict against random, and the atlas's mean score (mean ± standard error)."""
    fixed, least = baselines(cartpole)
    rnd, rnd_sem = fixed.loc["random", "late"], fixed.loc["random", "late_sem"]
    rows = []
    for r in axes().itertuples():
        for method in NAMES:
            late = cartpole.loc[(cartpole["point"] == r.point) & (cartpole["method"] == method)]
            score = atlas.loc[(atlas["point"] == r.point) & (atlas["method"] == method), "score"]
            m, s = verdict.across(late["late"])
            a, a_sem = verdict.across(score) if len(score) else (np.nan, np.nan)
            rows.append(dict(
                axis=r.axis, x=r.x, point=r.point, method=method, late=m, late_sem=s,
                n_seeds=len(late), verdict=verdict.verdict(m, s, rnd, rnd_sem, "higher",
                                                           len(late), least),
                atlas_score=a, atlas_sem=a_sem,
            ))  # fmt: skip
    return pd.DataFrame(rows)


def _versus(df: pd.DataFrame) -> str:
    """SymLA minus MetaRNN on CartPole at every number of distinct tasks, with the verdict rule's
    z: the comparison the curve was made for, read off it (exploratory, not a claim)."""
    tasks = df[df["axis"] == "tasks"]
    sym = tasks[tasks["method"] == "symla"].set_index("x")
    rnn = tasks[tasks["method"] == "metarnn"].set_index("x")
    parts = []
    for x in sym.index:
        a, b = sym.loc[x], rnn.loc[x]
        z = verdict.z_score(a["late"], a["late_sem"], b["late"], b["late_sem"], "higher")
        parts.append(f"{_x_label('tasks', x)} {a['late'] - b['late']:+.1f} (z {z:.1f})")
    return (
        "- SymLA minus MetaRNN at equal inputs, by tasks (z as the verdict rule computes it; read "
        "off this curve, not one of the claims): " + "; ".join(parts) + "."
    )


def words(cartpole: pd.DataFrame, atlas: pd.DataFrame) -> str:
    """Per axis and learner: CartPole's late return at every point and where it ends above
    random; then the atlas's mean score at every point."""
    df = summary(cartpole, atlas)
    fixed, least = baselines(cartpole)
    fixed = fixed["late"]
    out = [
        f"**CartPole**, late return per episode (mean ± standard error across seeds; random "
        f'{fixed["random"]:.1f}, REINFORCE {fixed["reinforce"]:.1f}; "above random" by the '
        f"verdict rule, with the smallest effect that matters, {least:.2f}):"
    ]
    for axis, sub in df.groupby("axis", sort=False):
        for method, g in sub.groupby("method", sort=False):
            parts = [f"{_x_label(axis, r.x)} {r.late:.1f} ± {r.late_sem:.1f}"
                     for r in g.itertuples()]  # fmt: skip
            above = [_x_label(axis, r.x) for r in g.itertuples() if r.verdict == "reproduced"]
            where = ", ".join(above) if above else "none"
            out.append(f"- {NAMES[method]}, by {axis}: {'; '.join(parts)}. Above random: {where}.")
    out.append(_versus(df))
    envs = int(atlas["envs"].iloc[0]) if len(atlas) else 0
    out.append(
        f"\n**Atlas**, the mean score over the {envs} environment{'s' * (envs != 1)} (0 is random, 1 REINFORCE; "
        "the environments where REINFORCE does not beat random are left out):"
    )
    if not np.isfinite(df["atlas_score"]).any():
        out.append("- no environment has a score: REINFORCE beats random on none of them.")
    for (axis, method), g in df.groupby(["axis", "method"], sort=False):
        if np.isfinite(g["atlas_score"]).any():
            parts = [f"{_x_label(axis, r.x)} {r.atlas_score:.2f} ± {r.atlas_sem:.2f}"
                     for r in g.itertuples()]  # fmt: skip
            out.append(f"- {NAMES[method]}, by {axis}: {'; '.join(parts)}.")
    scored = df[np.isfinite(df["atlas_score"])]
    if len(scored) > 1:
        spread = scored["atlas_score"].max() - scored["atlas_score"].min()
        out.append(
            f"\nThe atlas scores' standard errors across seeds (median "
            f"{scored['atlas_sem'].median():.2f}) against the range of their means "
            f"({spread:.2f}): on an environment where REINFORCE barely beats random the score "
            "divides by a small margin and can move a mean by a lot, so read them with their "
            "spread."
        )
    return "\n".join(out)
