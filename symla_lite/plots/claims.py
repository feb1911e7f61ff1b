"""Figure of the claims table: per claim SymLA's number and the baseline's, coloured by verdict."""

import math
import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

COLOURS = {
    "reproduced": "#2a9d43",
    "not_reproduced": "#c0392b",
    "inconclusive": "#7f7f7f",
}


def _finite(x) -> float:
    return float(x) if x is not None and math.isfinite(x) else 0.0


def plot(df: pd.DataFrame):
    """One row per claim, each on its own scale: SymLA's value (filled circle) and the baseline's
    (open square) with ±2 standard-error intervals, coloured by the claim's verdict."""
    n = len(df)
    if n == 0:
        fig, ax = plt.subplots(figsize=(6, 1.5))
        ax.axis("off")
        ax.text(0.5, 0.5, "no claims in this run", ha="center", va="center")
        return fig
    height = 0.75 * n + 1.0  # inches: 0.75 per claim, 1 for the title and the legend
    fig, axes = plt.subplots(n, 1, figsize=(10, height), squeeze=False)
    fig.subplots_adjust(left=0.33, right=0.85, top=1 - 0.95 / height, bottom=0.3 / height)
    fig.subplots_adjust(hspace=0.9)
    for ax, r in zip(axes[:, 0], df.to_dict("records"), strict=True):
        colour = COLOURS.get(r["verdict"], "black")
        for y, value, sem, marker, face in (
            (1, r["symla"], r["symla_sem"], "o", colour),
            (0, r["baseline"], r["baseline_sem"], "s", "white"),
        ):
            if value is None or not math.isfinite(value):
                continue
            ax.errorbar(
                value,
                y,
                xerr=2 * _finite(sem),
                fmt=marker,
                color=colour,
                mfc=face,
                capsize=3,
                markersize=6,
            )
        ax.set_ylim(-0.7, 1.7)
        ax.set_yticks([0, 1], ["baseline", "SymLA"], fontsize=7)
        ax.tick_params(axis="x", labelsize=7)
        ax.margins(x=0.15)
        ax.grid(axis="x", alpha=0.3)
        claim = textwrap.fill(str(r["claim"]), 45)
        ax.set_ylabel(claim, rotation=0, ha="right", va="center", fontsize=8, labelpad=8)
        label = f"{r['verdict']}\n{r['metric']} (n={int(r['n_seeds'])})"
        ax.text(1.01, 0.5, label, transform=ax.transAxes, va="center", fontsize=7, color=colour)
    handles = [Line2D([], [], color=c, marker="o", ls="", label=v) for v, c in COLOURS.items()]
    handles += [
        Line2D([], [], color="black", marker="o", ls="", label="SymLA ± 2 SE"),
        Line2D([], [], color="black", marker="s", mfc="white", ls="", label="baseline ± 2 SE"),
    ]
    fig.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 1 - 0.4 / height),
        ncol=5,
        fontsize=8,
        frameon=False,
    )
    fig.suptitle(
        "Claims: SymLA against the baseline, each claim on its own scale", y=1 - 0.1 / height
    )
    return fig


Z_LIMIT = 10.0  # the glance figure's axis runs to ±Z_LIMIT; beyond, a claim sits at the edge


def glance(df: pd.DataFrame):
    """Every claim one row, grouped by experiment: its effect in standard errors (the verdict
    rule's z, `symla_lite.verdict.z_score`) with the ±2 lines, coloured by verdict. A z beyond
    ±Z_LIMIT (or infinite: an effect without spread) is drawn as an arrow at the edge; a claim
    with no z (no effect and no spread) as a cross at 0."""
    from symla_lite import verdict

    n = len(df)
    if n == 0:
        fig, ax = plt.subplots(figsize=(6, 1.5))
        ax.axis("off")
        ax.text(0.5, 0.5, "no claims in this run", ha="center", va="center")
        return fig
    groups = list(dict.fromkeys(df["experiment"]))
    height = 0.2 * n + 0.32 * len(groups) + 1.3
    fig, ax = plt.subplots(figsize=(10, height))
    fig.subplots_adjust(left=0.52, right=0.97, top=1 - 0.75 / height, bottom=0.45 / height)
    ax.axvspan(-verdict.THRESHOLD, verdict.THRESHOLD, color="#eeeeee", zorder=0)
    for x in (-verdict.THRESHOLD, verdict.THRESHOLD):
        ax.axvline(x, color="black", lw=0.8, ls="--", zorder=1)
    ax.axvline(0, color="black", lw=0.5, zorder=1)
    y, ticks, labels = 0.0, [], []
    for exp in groups:
        ax.text(-Z_LIMIT * 1.02, y, verdict.title(exp), ha="right", va="center",
                fontsize=8, fontweight="bold")  # fmt: skip
        y += 1.0
        for r in df[df["experiment"] == exp].to_dict("records"):
            z = r.get("z", math.nan)
            colour = COLOURS.get(r["verdict"], "black")
            if z is None or math.isnan(z):
                ax.plot(0, y, marker="x", color=colour, ms=6, zorder=3)
            elif abs(z) > Z_LIMIT:
                ax.plot(math.copysign(Z_LIMIT, z), y, marker=">" if z > 0 else "<",
                        color=colour, ms=7, zorder=3)  # fmt: skip
            else:
                ax.plot(z, y, marker="o", color=colour, ms=6, zorder=3)
            ticks.append(y)
            labels.append(textwrap.shorten(str(r["claim"]), 100, placeholder="…"))
            y += 1.0
        ax.axhline(y - 0.5, color="#bbbbbb", lw=0.5)
        y += 0.3
    ax.set_yticks(ticks, labels, fontsize=6.5)
    ax.set_ylim(y - 0.3, -0.8)
    ax.set_xlim(-Z_LIMIT * 1.05, Z_LIMIT * 1.05)
    ax.set_xlabel(
        f"z = effect / standard error in the claimed direction (verdict rule; beyond ±{Z_LIMIT:g}"
        " at the edge)",
        fontsize=8,
    )
    ax.tick_params(axis="x", labelsize=8)
    handles = [Line2D([], [], color=c, marker="o", ls="", label=v) for v, c in COLOURS.items()]
    handles.append(Line2D([], [], color="black", marker="x", ls="", label="no z (no spread)"))
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1 - 0.3 / height),
               ncol=4, fontsize=8, frameon=False)  # fmt: skip
    counts = df["verdict"].value_counts()
    summary = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in COLOURS)
    fig.suptitle(f"Every claim at a glance: {summary}", y=1 - 0.08 / height, fontsize=10)
    return fig
