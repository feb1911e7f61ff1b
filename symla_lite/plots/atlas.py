"""Figure of the generalisation atlas: heat maps, environment x method, of the score and the gain."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm

from symla_lite.experiments.atlas import METHODS, cells

VMIN, VMAX = -1.0, 2.0  # scores beyond are drawn in the end colours (the number is written)
ZMAX = 4.0  # gains beyond +-4 standard errors likewise
MARK = "▲"
LABELS = {
    "symla": "SymLA\n(grid)",
    "generalist": "SymLA\n(mixture)",
    "metarnn": "MetaRNN\n(grid)",
    "generalist_metarnn": "MetaRNN\n(mixture)",
    "random": "random",
    "reinforce": "REINFORCE",
}


def _score_text(c: pd.Series) -> str:
    if c["status"] == "cannot run":
        return "cannot\nrun"
    text = "n/s" if c["status"] == "not scored" else f"{c['score']:.2f}"
    return f"{text} {MARK}" if c["learns"] else text


def _z(c: pd.Series) -> float:
    """The gain in standard errors (NaN without a spread)."""
    return c["gain"] / c["gain_se"] if c["gain_se"] > 0 else float("nan")


def _z_text(c: pd.Series) -> str:
    if c["status"] == "cannot run":
        return "cannot\nrun"
    z = _z(c)
    return f"{z:+.1f}" if np.isfinite(z) else "n/a"


def _panel(ax, grid, texts, cmap, norm, env_ids, methods, label):
    cmap = plt.get_cmap(cmap).copy()
    cmap.set_bad("0.85")
    image = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, norm=norm, aspect="auto")
    for (i, j), text in np.ndenumerate(texts):
        dark = np.isfinite(grid[i, j]) and abs(float(norm(grid[i, j])) - 0.5) > 0.35
        ax.text(j, i, text, ha="center", va="center", fontsize=7, color="w" if dark else "k")
    ax.set_xticks(range(len(methods)), [LABELS.get(m, m) for m in methods], fontsize=8)
    ax.set_yticks(range(len(env_ids)), env_ids, fontsize=8)
    ax.xaxis.tick_top()
    ax.figure.colorbar(image, ax=ax, shrink=0.5, label=label)


def plot(atlas: pd.DataFrame):
    """Left: the score (0 = random policy, 1 = REINFORCE; the mean over seeds for SymLA and
    MetaRNN), MARK where late beats early by more than 2 standard errors (across seeds for SymLA
    and MetaRNN, over test lifetimes for the fixed methods); grey: not scored (n/s) or cannot run.
    Right: that gain (late minus early return per episode) in its standard errors."""
    table = cells(atlas)
    env_ids = list(dict.fromkeys(table["env"]))
    methods = [m for m in METHODS if m in set(table["method"])]
    table = table.set_index(["env", "method"])
    shape = (len(env_ids), len(methods))
    score, z = np.full(shape, np.nan), np.full(shape, np.nan)
    score_text, z_text = np.full(shape, "", object), np.full(shape, "", object)
    for i, e in enumerate(env_ids):
        for j, m in enumerate(methods):
            if (e, m) in table.index:
                c = table.loc[(e, m)]
                score[i, j], z[i, j] = c["score"], _z(c)
                score_text[i, j], z_text[i, j] = _score_text(c), _z_text(c)
    fig, (ax1, ax2) = plt.subplots(
        1, 2, figsize=(3.0 * len(methods) + 4.5, 0.42 * len(env_ids) + 1.8)
    )
    _panel(ax1, np.clip(score, VMIN, VMAX), score_text, "RdBu",
           TwoSlopeNorm(vmin=VMIN, vcenter=0.0, vmax=VMAX), env_ids, methods,
           "score: 0 random, 1 REINFORCE")  # fmt: skip
    _panel(ax2, np.clip(z, -ZMAX, ZMAX), z_text, "PuOr_r",
           TwoSlopeNorm(vmin=-ZMAX, vcenter=0.0, vmax=ZMAX), env_ids, methods,
           "(late − early) / standard error")  # fmt: skip
    ax1.set_title(f"score; {MARK}: late beats early by > 2 standard errors", fontsize=9)
    ax2.set_title("late minus early return per episode, in standard errors", fontsize=9)
    fig.suptitle(
        f"SymLA meta-trained on projected grid worlds, meta-tested unchanged on {len(env_ids)} "
        "gymnax environments",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
