"""Figure of the unseen-tasks experiment (grid world, heart and trap swapped at meta-test)."""

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from symla_lite.claims.unseen_tasks import summary
from symla_lite.experiments.unseen_tasks import METHODS

PARTS = ("first_half", "second_half")
OBJECTS = {"heart": "tab:red", "trap": "tab:gray"}


def plot(df: pd.DataFrame):
    """Objects collected per lifetime: method x setting panels, first and second half; bars are
    the mean over meta-training seeds with its standard error across seeds, dots the seeds (random
    policy: one bar, SE over test lifetimes)."""
    methods, settings = (*METHODS, "random"), ("as_trained", "swapped")
    fig, axes = plt.subplots(
        len(settings), len(methods), figsize=(8.5, 5), sharey=True, squeeze=False
    )
    t = summary(df).set_index(["method", "setting", "part", "object"])
    width = 0.38
    for (i, setting), (j, method) in itertools.product(enumerate(settings), enumerate(methods)):
        ax = axes[i, j]
        for k, (obj, color) in enumerate(OBJECTS.items()):
            xs = np.arange(len(PARTS)) + (k - 0.5) * width
            m = [t.loc[(method, setting, p, obj), "mean"] for p in PARTS]
            se = [t.loc[(method, setting, p, obj), "sem"] for p in PARTS]
            ax.bar(xs, m, width, color=color, alpha=0.7, label=obj)
            ax.errorbar(xs, m, se, fmt="none", c="k", lw=1)
            for x, p in zip(xs, PARTS, strict=True):
                v = df[
                    (df["method"] == method)
                    & (df["setting"] == setting)
                    & (df["part"] == p)
                    & (df["object"] == obj)
                    & df["seed"].notna()
                ]
                ax.scatter(np.full(len(v), x), v["count_mean"], s=10, c="k", zorder=3)
        ax.set_xticks(np.arange(len(PARTS)), ["first half", "second half"], fontsize=8)
        ax.set_title(f"{method}, {setting}", fontsize=9)
        if j == 0:
            ax.set_ylabel("objects collected per lifetime")
    axes[0, 0].legend(fontsize=8)
    fig.suptitle("Grid world (reconstruction): heart and trap, rewards swapped at test")
    fig.tight_layout()
    return fig
