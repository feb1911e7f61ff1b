"""Figure of the unseen-observations experiment (CartPole with permuted observations/actions)."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from symla_lite.claims.unseen_observations import summary
from symla_lite.experiments.unseen_observations import METHODS, SETTINGS

COLORS = {"symla": "tab:blue", "metarnn": "tab:orange", "random": "tab:gray"}


def plot(df: pd.DataFrame):
    """Falls per lifetime (L minus the return) by setting and method: bars are the mean over
    meta-training seeds with its standard error across seeds, dots the seeds (random policy: one
    bar, SE over lifetimes). Falls, not returns: a return of L - falls hides the differences."""
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    t = summary(df, "falls").set_index(["method", "setting"])
    methods, width = (*METHODS, "random"), 0.27
    for i, method in enumerate(methods):
        xs = np.arange(len(SETTINGS)) + (i - 1) * width
        m = [t.loc[(method, s), "mean"] for s in SETTINGS]
        se = [t.loc[(method, s), "sem"] for s in SETTINGS]
        ax.bar(xs, m, width, color=COLORS[method], alpha=0.6, label=method)
        ax.errorbar(xs, m, se, fmt="none", c="k", lw=1)
        for x, s in zip(xs, SETTINGS, strict=True):
            v = df[(df["method"] == method) & (df["setting"] == s) & df["seed"].notna()]
            jitter = np.linspace(-width / 4, width / 4, len(v)) if len(v) > 1 else [0.0] * len(v)
            ax.scatter(x + np.asarray(jitter), v["falls_mean"], s=12, c="k", zorder=3)
    ax.set_xticks(np.arange(len(SETTINGS)), list(SETTINGS))
    ax.set_ylabel("falls per lifetime (lower is better)")
    preset, length = df["preset"].iloc[0], int(df["lifetime"].iloc[0])
    ax.set_title(
        f"CartPole-v1 meta-test ({preset} preset, L = {length}), observations / actions "
        "permuted per lifetime",
        fontsize=10,
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_parts(parts: pd.DataFrame):
    """Falls in each part of the lifetime as trained: one line per meta-training seed (random
    policy: its mean over test lifetimes, dashed). Flat after the first part: no learning within
    the lifetime."""
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    sub = parts[parts["setting"] == "as_trained"]
    for method in (*METHODS, "random"):
        for i, (_, g) in enumerate(sub[sub["method"] == method].groupby("seed", dropna=False)):
            ax.plot(
                g["part"], g["falls_mean"], marker="o", c=COLORS[method],
                ls="--" if method == "random" else "-", label=method if i == 0 else None,
            )  # fmt: skip
    ax.set_xticks(sorted(sub["part"].unique()))
    ax.set_xlabel("part of the lifetime (consecutive, equal steps)")
    ax.set_ylabel("falls in the part")
    preset, length = parts["preset"].iloc[0], int(parts["lifetime"].iloc[0])
    ax.set_title(f"CartPole-v1 as trained ({preset}, L = {length}): falls through the lifetime")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
