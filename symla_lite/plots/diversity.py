"""The diversity curve's figure: held-out transfer against the number of distinct meta-training
tasks per family (left) and the families in the mixture (right)."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from symla_lite.claims.diversity import FAMILY_LABELS, NAMES, baselines, summary
from symla_lite.plots.unseen_environments import COLORS

FRESH_AT = 256.0  # where the "fresh tasks" point sits on the log axis of tasks


def _x(axis: str, x: pd.Series) -> np.ndarray:
    x = x.to_numpy(np.float64)
    return np.where(np.isinf(x), FRESH_AT, x) if axis == "tasks" else x


def plot(cartpole: pd.DataFrame, atlas: pd.DataFrame):
    """Top: CartPole's late return per episode, each learner's mean ± standard error across
    seeds (a point per seed), random and REINFORCE as dashed lines. Bottom: the atlas's mean
    score (0 random, 1 REINFORCE)."""
    df = summary(cartpole, atlas)
    fixed = baselines(cartpole)[0]["late"]
    fig, ax = plt.subplots(2, 2, figsize=(9.5, 6.2), sharey="row")
    for j, axis in enumerate(("tasks", "families")):
        for method in NAMES:
            g = df[(df["axis"] == axis) & (df["method"] == method)].sort_values("x")
            xs, color = _x(axis, g["x"]), COLORS.get(method)
            ax[0, j].errorbar(xs, g["late"], g["late_sem"], marker="o", capsize=3, color=color,
                              label=NAMES[method])  # fmt: skip
            ax[1, j].errorbar(xs, g["atlas_score"], g["atlas_sem"], marker="o", capsize=3,
                              color=color, label=NAMES[method])  # fmt: skip
            for point, x in zip(g["point"], xs, strict=True):
                seeds = cartpole[(cartpole["point"] == point) & (cartpole["method"] == method)]
                ax[0, j].scatter(np.full(len(seeds), x), seeds["late"], s=8, color=color,
                                 alpha=0.5)  # fmt: skip
        for method in ("random", "reinforce"):
            ax[0, j].axhline(fixed[method], ls="--", lw=1, color=COLORS.get(method, "0.5"),
                             label=method)  # fmt: skip
        ax[1, j].axhline(0, ls="--", lw=1, color=COLORS.get("random", "0.5"), label="random")
        ax[1, j].axhline(1, ls="--", lw=1, color=COLORS.get("reinforce", "0.5"),
                         label="reinforce")  # fmt: skip
    ticks = sorted(df.loc[df["axis"] == "tasks", "x"].unique())
    for i in range(2):
        ax[i, 0].set_xscale("log", base=2)
        ax[i, 0].set_xticks([FRESH_AT if np.isinf(t) else t for t in ticks],
                            ["fresh" if np.isinf(t) else f"{t:g}" for t in ticks])  # fmt: skip
        ax[i, 0].minorticks_off()
        fams = sorted(df.loc[df["axis"] == "families", "x"].unique())
        ax[i, 1].set_xticks(fams, [FAMILY_LABELS[f].split(" (")[0] for f in fams], fontsize=8)
    ax[1, 0].set_xlabel("distinct meta-training tasks per family")
    ax[1, 1].set_xlabel("families in the mixture (fresh tasks)")
    ax[0, 0].set_ylabel("CartPole: late return per episode")
    ax[1, 0].set_ylabel("atlas: mean score")
    ax[0, 0].legend(fontsize=7)
    fig.suptitle("The diversity curve: held-out transfer against the meta-training distribution")
    fig.tight_layout()
    return fig
