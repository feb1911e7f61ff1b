"""Figure of the unseen-observations experiment (CartPole with permuted observations/actions)."""

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from symla_lite.experiments.unseen_observations import SETTINGS


def plot(df: pd.DataFrame):
    """Return per lifetime by setting and method, with standard errors."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    order = list(SETTINGS)
    sns.barplot(df, x="setting", y="return_mean", hue="method", order=order, ax=ax)
    for bar_group, method in zip(ax.containers, df["method"].unique(), strict=False):
        sub = df[df["method"] == method].set_index("setting").loc[order]
        xs = [b.get_x() + b.get_width() / 2 for b in bar_group]
        ax.errorbar(xs, sub["return_mean"], sub["return_sem"], fmt="none", c="k", lw=1)
    ax.set_ylabel("return per lifetime (L - falls)")
    ax.set_title("CartPole-v1 meta-test, observations / actions permuted per lifetime")
    fig.tight_layout()
    return fig
