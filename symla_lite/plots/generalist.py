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


def budget(df: pd.DataFrame):
    """The budget curve (`experiments.generalist.budget_table`): one column per environment, the
    late return per episode (top) and its gain over the lifetime, late minus early (bottom),
    against the meta-training generations (log scale): each learner's mean ± standard error
    across seeds with a point per seed; the fixed methods as horizontal lines."""
    env_ids = list(dict.fromkeys(df["env"]))
    fig, axes = plt.subplots(2, len(env_ids), figsize=(3.6 * len(env_ids), 5.6), squeeze=False)
    learned = df[df["generations"].notna()]
    for j, env_id in enumerate(env_ids):
        for i, column in enumerate(("late", "gain")):
            ax = axes[i, j]
            for method, sub in learned[learned["env"] == env_id].groupby("method", sort=False):
                g = sub.groupby("generations")[column]
                gens = np.asarray(list(g.groups), np.float64)
                stats = np.array([across(v.to_numpy(np.float64)) for _, v in g])
                ax.errorbar(gens, stats[:, 0], stats[:, 1], marker="o", capsize=3,
                            color=COLORS.get(method), label=method)  # fmt: skip
                ax.scatter(sub["generations"].astype(float), sub[column], s=8,
                           color=COLORS.get(method), alpha=0.5)  # fmt: skip
            fixed = df[(df["env"] == env_id) & df["generations"].isna()]
            for r in fixed.itertuples():
                ax.axhline(getattr(r, column), color=COLORS.get(r.method, "0.5"), ls="--",
                           lw=1, label=r.method)  # fmt: skip
            ax.set_xscale("log", base=2)
            ticks = sorted(learned["generations"].dropna().astype(int).unique())
            ax.set_xticks(ticks, [str(t) for t in ticks])
            ax.minorticks_off()
            ax.set_title(f"{env_id}: {'late return per episode' if i == 0 else 'late - early'}",
                         fontsize=9)  # fmt: skip
            if i == 1:
                ax.set_xlabel("meta-training generations")
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    return fig
