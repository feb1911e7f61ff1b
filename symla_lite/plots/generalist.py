"""Figures of the generalist: held-out classic control (the unseen-environments figure, with the
generalists and the grid-world SymLA) and each family's normalised score in distribution."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from symla_lite.plots.unseen_environments import COLORS
from symla_lite.plots.unseen_environments import plot as held_out  # noqa: F401 (re-exported)
from symla_lite.verdict import across


def in_distribution(df: pd.DataFrame):
    """One group of bars per family: each method's normalised score (0 = random, 1 = a policy
    that knows the task), a point per meta-training seed and the mean ± standard error."""
    families = list(dict.fromkeys(df["family"]))
    methods = list(dict.fromkeys(df["method"]))
    width = 0.8 / len(methods)
    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(families), 3.4))
    for i, method in enumerate(methods):
        xs = np.arange(len(families)) + (i - (len(methods) - 1) / 2) * width
        sub = df[df["method"] == method]
        for x, family in zip(xs, families, strict=True):
            v = sub.loc[sub["family"] == family, "score"].to_numpy(np.float64)
            m, e = across(v) if v.size > 1 else (float(v.mean()), 0.0)
            ax.bar(x, m, width, yerr=e, color=COLORS.get(method), capsize=3,
                   label=method if family == families[0] else None)  # fmt: skip
            if v.size > 1:
                ax.scatter(np.full(v.size, x), v, color="k", s=8, zorder=3)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xticks(range(len(families)), families)
    ax.set_ylabel("normalised score (0 random, 1 knows the task)")
    ax.set_title("In distribution: each family of the mixture, fresh tasks")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
