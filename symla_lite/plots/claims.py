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
