"""Figure of the generalisation atlas: a heat map of the score, environment x method."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm

from symla_lite.experiments.atlas import METHODS, cells

VMIN, VMAX = -1.0, 2.0  # scores beyond are drawn in the end colours (the number is written)
MARK = "▲"


def _text(c: pd.Series) -> str:
    if c["status"] == "cannot run":
        return "cannot\nrun"
    text = "n/s" if c["status"] == "not scored" else f"{c['score']:.2f}"
    return f"{text} {MARK}" if c["learns"] else text


def plot(atlas: pd.DataFrame):
    """One row per environment, one column per method: the score (0 = random policy, 1 =
    REINFORCE; the mean over seeds for SymLA and MetaRNN) in colour and number; MARK where late
    beats early by more than 2 standard errors (across seeds for SymLA and MetaRNN, over test
    lifetimes for the fixed methods); grey: not scored (n/s) or cannot run."""
    table = cells(atlas)
    env_ids = list(dict.fromkeys(table["env"]))
    methods = [m for m in METHODS if m in set(table["method"])]
    table = table.set_index(["env", "method"])
    grid = np.full((len(env_ids), len(methods)), np.nan)
    for i, e in enumerate(env_ids):
        for j, m in enumerate(methods):
            if (e, m) in table.index:
                grid[i, j] = table.loc[(e, m), "score"]
    fig, ax = plt.subplots(figsize=(1.5 * len(methods) + 3.2, 0.42 * len(env_ids) + 1.6))
    cmap = plt.get_cmap("RdBu").copy()
    cmap.set_bad("0.85")
    norm = TwoSlopeNorm(vmin=VMIN, vcenter=0.0, vmax=VMAX)
    image = ax.imshow(
        np.ma.masked_invalid(np.clip(grid, VMIN, VMAX)), cmap=cmap, norm=norm, aspect="auto"
    )
    for i, e in enumerate(env_ids):
        for j, m in enumerate(methods):
            if (e, m) in table.index:
                ax.text(j, i, _text(table.loc[(e, m)]), ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(methods)), methods)
    ax.set_yticks(range(len(env_ids)), env_ids, fontsize=8)
    ax.xaxis.tick_top()
    fig.colorbar(image, ax=ax, shrink=0.6, label="score: 0 random, 1 REINFORCE")
    ax.set_title(
        f"SymLA meta-trained on projected grid worlds, meta-tested on {len(env_ids)} gymnax "
        f"environments\n{MARK}: late beats early return per episode by > 2 standard errors",
        fontsize=9,
    )
    fig.tight_layout()
    return fig
