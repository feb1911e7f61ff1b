"""Figures of the bandits experiment, drawn from the tables of `symla_lite.experiments.bandits`."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from symla_lite.envs.bandit import BIAS, DISTRIBUTIONS
from symla_lite.experiments.bandits import AGENTS

SHORT = {
    "uniform_independent": "unif. indep.",
    "uniform_dependent": "unif. dep.",
    "easy_dependent": "easy",
    "medium_dependent": "medium",
    "hard_dependent": "hard",
}


def plot_regret_curves(curves: pd.DataFrame, dists=DISTRIBUTIONS):
    """Mean cumulative regret over the lifetime per method, one panel per test distribution."""
    fig, axes = plt.subplots(1, len(dists), figsize=(3.6 * len(dists), 3.2), sharex=True)
    axes = np.atleast_1d(axes)
    methods = list(dict.fromkeys(curves["method"]))
    palette = dict(zip(methods, sns.color_palette("tab10", len(methods))))
    for ax, dist in zip(axes, dists):
        sub = curves[curves["test_dist"] == dist]
        for method, g in sub.groupby("method", sort=False):
            ax.plot(g["step"], g["cum_regret_mean"], label=method, color=palette[method])
            ax.fill_between(
                g["step"],
                g["cum_regret_mean"] - g["cum_regret_sem"],
                g["cum_regret_mean"] + g["cum_regret_sem"],
                color=palette[method],
                alpha=0.2,
            )
        ax.set_title(dist)
        ax.set_xlabel("step t")
        others = sub[sub["method"] != "random"]
        if len(others) and (sub["method"] == "random").any():
            # random's regret grows linearly and would flatten every other curve: clip it
            ax.set_ylim(0, 1.6 * others["cum_regret_mean"].max())
    axes[0].set_ylabel("cumulative regret (random clipped)")
    axes[-1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_transfer_heatmaps(transfer: pd.DataFrame, dists=DISTRIBUTIONS):
    """Train x test regret heat maps for SymLA and MetaRNN side by side (shared colour scale)."""
    methods = [m for m in AGENTS if m in set(transfer["method"])]
    fig, axes = plt.subplots(1, len(methods), figsize=(5.2 * len(methods), 4.4), squeeze=False)
    vmax = transfer["regret_mean"].max()
    labels = [SHORT.get(d, d) for d in dists]
    for ax, method in zip(axes[0], methods):
        grid = (
            transfer[transfer["method"] == method]
            .pivot(index="train_dist", columns="test_dist", values="regret_mean")
            .reindex(index=list(dists), columns=list(dists))
        )
        sns.heatmap(
            grid,
            ax=ax,
            annot=True,
            fmt=".2f",
            vmin=0,
            vmax=vmax,
            cmap="viridis_r",
            xticklabels=labels,
            yticklabels=labels,
            cbar_kws={"label": "cumulative regret"},
        )
        ax.set_title(f"{method}: regret, meta-train x meta-test")
        ax.set_xlabel("meta-test distribution")
        ax.set_ylabel("meta-train distribution")
    fig.tight_layout()
    return fig


def plot_unseen_actions(unseen: pd.DataFrame):
    """Left: trained on `biased`, tested as trained / permuted / reversed. Right: regret vs K."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    df = unseen.copy()
    df["label"] = df["method"] + np.where(
        df["message_reduce"].fillna("") != "", " (" + df["message_reduce"].fillna("") + ")", ""
    )
    # one colour per method in both panels
    colors = dict(zip(df["label"].unique(), sns.color_palette(n_colors=df["label"].nunique())))
    left = df[(df["test_dist"].str.startswith("biased"))]
    hue_order = list(left["label"].unique())
    sns.barplot(
        data=left,
        x="setting",
        y="regret_mean",
        hue="label",
        hue_order=hue_order,
        palette=colors,
        ax=ax1,
        order=["as_trained", "permuted", "reversed"],
    )
    bars = list(ax1.containers)  # a copy: each errorbar below adds a container
    for cont, label in zip(bars, hue_order, strict=True):
        g = left[left["label"] == label]
        err = g.set_index("setting").reindex(["as_trained", "permuted", "reversed"])["regret_sem"]
        xs = [bar.get_x() + bar.get_width() / 2 for bar in cont]
        ys = [bar.get_height() for bar in cont]
        ax1.errorbar(xs, ys, yerr=err.to_numpy(), fmt="none", color="k", lw=1)
    ax1.set_title(f"trained on 'biased' (arm 0 best in {BIAS:.0%})")
    ax1.set_ylabel("cumulative regret")
    ax1.legend(fontsize=8)
    right = df[df["setting"] == "more_arms"]
    for label, g in right.groupby("label", sort=False):
        ok = g.dropna(subset=["regret_mean"])
        if ok.empty:
            continue
        ax2.errorbar(
            ok["num_arms"],
            ok["regret_mean"],
            yerr=ok["regret_sem"],
            marker="o",
            label=label,
            color=colors[label],
            capsize=3,
        )
    missing = right[right["regret_mean"].isna()]
    if not missing.empty:
        names = ", ".join(sorted(set(missing["label"])))
        ks = ", ".join(str(k) for k in sorted(set(missing["num_arms"])))
        ax2.text(
            0.98,
            0.03,
            f"{names}: cannot run with K = {ks}",
            transform=ax2.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
        )
    ax2.set_xlabel("number of arms K (meta-trained on 2)")
    ax2.set_ylabel("cumulative regret")
    ax2.set_title("uniform independent arms, more than at meta-training")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_training(training: pd.DataFrame):
    """Mean population fitness (summed reward per lifetime) over ES generations."""
    df = training.copy()
    df["run"] = df["method"] + np.where(
        df["message_reduce"].fillna("").isin(["", "sum"]),
        "",
        " (" + df["message_reduce"].fillna("") + ")",
    )
    dists = list(dict.fromkeys(df["train_dist"]))
    fig, axes = plt.subplots(1, len(dists), figsize=(3.4 * len(dists), 3), squeeze=False)
    for ax, dist in zip(axes[0], dists):
        for run, g in df[df["train_dist"] == dist].groupby("run", sort=False):
            ax.plot(g["generation"], g["mean_fitness"], label=run)
        ax.set_title(f"trained on {dist}", fontsize=9)
        ax.set_xlabel("generation")
    axes[0][0].set_ylabel("mean fitness (reward per lifetime)")
    axes[0][-1].legend(fontsize=8)
    fig.tight_layout()
    return fig
