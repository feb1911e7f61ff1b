"""Figures of the ablations: meta-training curves per variant, and the meta-test per seed."""

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns


def curves(training: pd.DataFrame, smooth: int = 10):
    """Meta-training progress, one panel per setting: a line per variant (mean over seeds) and a
    thin line per seed of the mean fitness per step of lifetime (fitness / L) minus its value
    at generation 0, smoothed over `smooth` generations. Per step, so that lifetimes compare; as
    a gain, so that reward conventions compare (CartPole's sparse reward is the dense one minus
    L per lifetime)."""
    order = list(dict.fromkeys(training["setting"]))
    df = training.sort_values(["setting", "variant", "seed", "generation"]).copy()
    if "lifetime" in df:  # variants may meta-train with other lifetimes
        df["mean_fitness"] = df["mean_fitness"] / df["lifetime"]
    g = df.groupby(["setting", "variant", "seed"])["mean_fitness"]
    df["fitness"] = g.transform(lambda s: s.rolling(smooth, min_periods=1).mean()) - g.transform(
        "first"
    )
    fig, axes = plt.subplots(1, len(order), figsize=(4.6 * len(order), 3.6), squeeze=False)
    for ax, setting in zip(axes[0], order, strict=True):
        sub = df[df["setting"] == setting]
        variants = list(dict.fromkeys(training.loc[training["setting"] == setting, "variant"]))
        palette = dict(zip(variants, sns.color_palette("tab10", len(variants)), strict=True))
        for variant in variants:
            v = sub[sub["variant"] == variant]
            for _, s in v.groupby("seed"):
                ax.plot(s["generation"], s["fitness"], color=palette[variant], lw=0.5, alpha=0.4)
            mean = v.groupby("generation")["fitness"].mean()
            ax.plot(mean.index, mean.values, color=palette[variant], lw=1.8, label=variant)
        ax.set_title(setting)
        ax.set_xlabel("generation")
        ax.legend(fontsize=7, loc="best")
    axes[0][0].set_ylabel("mean fitness per step, gain since generation 0")
    fig.suptitle("Meta-training per variant (thin: one seed; thick: mean over seeds)")
    fig.tight_layout()
    return fig


def meta_test(tests: pd.DataFrame):
    """Per setting: the meta-test number that decides (grid worlds: hearts minus traps in the
    second half of a lifetime; CartPole: falls per lifetime relative to the random policy's on
    the same test lifetimes, random's dashed at 1, half of it dotted), a point per seed."""
    df = tests.copy()
    grid = df["hearts_late"].notna() if "hearts_late" in df else pd.Series(False, index=df.index)
    df["value"] = df["episodes"] / df["random_episodes"]
    df.loc[grid, "value"] = df.loc[grid, "hearts_late"] - df.loc[grid, "traps_late"]
    settings = list(dict.fromkeys(df["setting"]))
    fig, axes = plt.subplots(1, len(settings), figsize=(4.2 * len(settings), 3.6), squeeze=False)
    for ax, setting in zip(axes[0], settings, strict=True):
        sub = df[df["setting"] == setting]
        sns.pointplot(
            sub, x="value", y="variant", ax=ax, errorbar="se", color="k", linestyle="none"
        )
        # a point per seed, spread vertically by a fixed offset (seaborn's jitter is random,
        # which would make the figure differ between two identical runs)
        rows = {v: i for i, v in enumerate(dict.fromkeys(sub["variant"]))}
        groups = list(sub.groupby("seed", sort=True))
        for k, (_, s) in enumerate(groups):
            y = s["variant"].map(rows) + 0.12 * (k - (len(groups) - 1) / 2)
            ax.scatter(s["value"], y, s=14, color="tab:blue", alpha=0.7, zorder=3)
        ax.set_ylim(len(rows) - 0.5, -0.5)  # one row per variant, even when there is one
        is_grid = bool(grid[sub.index].any())
        if is_grid:
            ax.axvline(0, color="gray", lw=0.8)
            ax.set_xlabel("hearts - traps, 2nd half of lifetime")
        else:
            ax.axvline(1.0, color="gray", ls="--", lw=1)
            ax.axvline(0.5, color="gray", ls=":", lw=1)
            ax.set_xlabel("falls / random's falls (dashed: 1, dotted: 0.5)")
        ax.set_title(setting)
        ax.set_ylabel("")
    fig.suptitle("Meta-test in distribution: a point per seed, mean ± SE across seeds")
    fig.tight_layout()
    return fig


def budget(budget: pd.DataFrame, targets: dict, settings: dict):
    """The scores of `targets` (column -> {environment: target}) against generations, log2
    axis, one panel per (setting, variant, column): a point per seed, the mean over seeds, the
    target dashed. settings: setting -> (environment, options), as `ablations.SETTINGS`."""
    panels = [
        (s, v, col, target[settings[s][0]])
        for (s, v), _ in budget.groupby(["setting", "variant"], sort=False)
        for col, target in targets.items()
        if settings[s][0] in target and col in budget and budget[col].notna().any()
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4), squeeze=False)
    for ax, (setting, variant, col, target) in zip(axes[0], panels, strict=True):
        sub = budget[(budget["setting"] == setting) & (budget["variant"] == variant)]
        ax.scatter(sub["generation"], sub[col], s=14, color="tab:blue", alpha=0.7)
        mean = sub.groupby("generation")[col].mean()
        ax.plot(mean.index, mean.values, color="k", lw=1.5, marker="o")
        ax.axhline(target, color="gray", ls="--", lw=1)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("generations")
        ax.set_ylabel(col)
        ax.set_title(f"{setting}, {variant}", fontsize=9)
    fig.suptitle("Score against ES budget (a point per seed; dashed: what the claim needs)")
    fig.tight_layout()
    return fig
