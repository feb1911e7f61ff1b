"""Figures of the bandits experiment, drawn from the tables of `symla_lite.experiments.bandits`."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from symla_lite.agents.symla import SymLA
from symla_lite.envs.bandit import BIAS, DISTRIBUTIONS
from symla_lite.experiments.bandits import AGENTS

SHORT = {
    "uniform_independent": "unif. indep.",
    "uniform_dependent": "unif. dep.",
    "easy_dependent": "easy",
    "medium_dependent": "medium",
    "hard_dependent": "hard",
}


def _seeded(df: pd.DataFrame) -> pd.Series:
    """True for the rows of meta-learned agents (a meta-training seed), False for baselines."""
    return df["seed"].notna() if "seed" in df else pd.Series(False, index=df.index)


def plot_regret_curves(curves: pd.DataFrame, dists=DISTRIBUTIONS):
    """Mean cumulative regret over the lifetime per method, one panel per test distribution.

    Fixed baselines: mean ± SE over test lifetimes (band). Meta-learned agents: a thin line per
    meta-training seed and their mean (thick)."""
    fig, axes = plt.subplots(1, len(dists), figsize=(3.6 * len(dists), 3.2), sharex=True)
    axes = np.atleast_1d(axes)
    methods = list(dict.fromkeys(curves["method"]))
    palette = dict(zip(methods, sns.color_palette("tab10", len(methods))))
    for ax, dist in zip(axes, dists):
        sub = curves[curves["test_dist"] == dist]
        for method, g in sub.groupby("method", sort=False):
            color = palette[method]
            if _seeded(g).any():
                for _, gs in g.groupby("seed"):
                    ax.plot(gs["step"], gs["cum_regret_mean"], color=color, lw=0.7, alpha=0.5)
                m = g.groupby("step", as_index=False)["cum_regret_mean"].mean()
                n = g["seed"].nunique()
                ax.plot(m["step"], m["cum_regret_mean"], label=f"{method} ({n} seeds)", color=color)
                continue
            ax.plot(g["step"], g["cum_regret_mean"], label=method, color=color)
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
    """Train x test regret heat maps for SymLA and MetaRNN side by side (shared colour scale):
    the mean over meta-training seeds, annotated with ± the standard error across seeds."""
    methods = [m for m in AGENTS if m in set(transfer["method"])]
    fig, axes = plt.subplots(1, len(methods), figsize=(5.2 * len(methods), 4.4), squeeze=False)
    cells = transfer.groupby(["method", "train_dist", "test_dist"])["regret_mean"]
    stats = cells.agg(["mean", "std", "count"]).reset_index()
    stats["se"] = stats["std"] / np.sqrt(stats["count"])
    vmax = stats["mean"].max()
    labels = [SHORT.get(d, d) for d in dists]

    def grid(sub, values):
        return sub.pivot(index="train_dist", columns="test_dist", values=values).reindex(
            index=list(dists), columns=list(dists)
        )

    for ax, method in zip(axes[0], methods):
        sub = stats[stats["method"] == method]
        mean, se = grid(sub, "mean"), grid(sub, "se")
        text = mean.map(lambda v: f"{v:.2f}" if np.isfinite(v) else "")
        text = text + se.map(lambda v: f"\n±{v:.2f}" if np.isfinite(v) else "")
        sns.heatmap(
            mean,
            ax=ax,
            annot=text.to_numpy(),
            fmt="",
            annot_kws={"fontsize": 8},
            vmin=0,
            vmax=vmax,
            cmap="viridis_r",
            xticklabels=labels,
            yticklabels=labels,
            cbar_kws={"label": "cumulative regret"},
        )
        n = int(sub["count"].max()) if len(sub) else 0
        ax.set_title(f"{method}: regret (mean ± SE over {n} seeds)", fontsize=10)
        ax.set_xlabel("meta-test distribution")
        ax.set_ylabel("meta-train distribution")
    fig.tight_layout()
    return fig


def _spread(df: pd.DataFrame, by: list) -> pd.DataFrame:
    """Per `by` group: `mean` and `err` (meta-learned agents: mean and SE across seeds; fixed
    baselines: their mean and SE over test lifetimes)."""
    seeded = df[_seeded(df)].dropna(subset=["regret_mean"])
    agg = seeded.groupby(by, sort=False)["regret_mean"].agg(["mean", "std", "count"])
    agg["err"] = agg["std"] / np.sqrt(agg["count"])
    fixed = df[~_seeded(df)].rename(columns={"regret_mean": "mean", "regret_sem": "err"})
    return pd.concat([agg.reset_index(), fixed[by + ["mean", "err"]]], ignore_index=True)


def plot_unseen_actions(unseen: pd.DataFrame):
    """Left: trained on `biased`, tested as trained / permuted / reversed. Right: regret vs K.

    Bars and lines: meta-learned agents' mean over seeds ± SE across seeds (a dot per seed);
    fixed baselines' mean ± SE over test lifetimes."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    df = unseen.copy()
    reduce = df["message_reduce"].fillna("")
    df["label"] = df["method"] + np.where(reduce != "", " (" + reduce + ")", "")
    # one colour per method in both panels
    colors = dict(zip(df["label"].unique(), sns.color_palette(n_colors=df["label"].nunique())))
    settings = ["as_trained", "permuted", "reversed"]
    left = df[df["test_dist"].str.startswith("biased")]
    summary = _spread(left, ["label", "setting"])
    labels = list(left["label"].unique())
    width = 0.8 / max(len(labels), 1)
    for i, label in enumerate(labels):
        g = summary[summary["label"] == label].set_index("setting").reindex(settings)
        xs = np.arange(len(settings)) - 0.4 + width * (i + 0.5)
        ax1.bar(xs, g["mean"], width, color=colors[label], label=label)
        ax1.errorbar(xs, g["mean"], yerr=g["err"], fmt="none", color="k", lw=1)
        pts = left[(left["label"] == label) & _seeded(left)]
        x_of = dict(zip(settings, xs))
        ax1.scatter(pts["setting"].map(x_of), pts["regret_mean"], s=10, color="k", zorder=3, lw=0)
    ax1.set_xticks(np.arange(len(settings)), settings)
    ax1.set_title(f"trained on 'biased' (arm 0 best in {BIAS:.0%}); dots: seeds")
    ax1.set_ylabel("cumulative regret")
    ax1.legend(fontsize=8)
    right = df[df["setting"] == "more_arms"]
    summary = _spread(right, ["label", "num_arms"])
    for label, g in summary.groupby("label", sort=False):
        ok = g.dropna(subset=["mean"]).sort_values("num_arms")
        if ok.empty:
            continue
        ax2.errorbar(
            ok["num_arms"],
            ok["mean"],
            yerr=ok["err"],
            marker="o",
            label=label,
            color=colors[label],
            capsize=3,
        )
        pts = right[(right["label"] == label) & _seeded(right)]
        ax2.scatter(pts["num_arms"], pts["regret_mean"], s=10, color=colors[label], alpha=0.6)
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
    """Mean population fitness (summed reward per lifetime) over ES generations, a line per
    meta-training seed."""
    df = training.copy()
    df["run"] = df["method"] + np.where(
        df["message_reduce"].fillna("").isin(["", SymLA.message_reduce]),
        "",
        " (" + df["message_reduce"].fillna("") + ")",
    )
    dists = list(dict.fromkeys(df["train_dist"]))
    runs = list(dict.fromkeys(df["run"]))
    colors = dict(zip(runs, sns.color_palette("tab10", len(runs))))
    fig, axes = plt.subplots(1, len(dists), figsize=(3.4 * len(dists), 3), squeeze=False)
    for ax, dist in zip(axes[0], dists):
        for run, g in df[df["train_dist"] == dist].groupby("run", sort=False):
            for i, (_, gs) in enumerate(g.groupby("seed", sort=True)):
                label = f"{run} ({g['seed'].nunique()} seeds)" if i == 0 else None
                ax.plot(gs["generation"], gs["mean_fitness"], color=colors[run], lw=1, label=label)
        ax.set_title(f"trained on {dist}", fontsize=9)
        ax.set_xlabel("generation")
    axes[0][0].set_ylabel("mean fitness (reward per lifetime)")
    axes[0][-1].legend(fontsize=8)
    fig.tight_layout()
    return fig
