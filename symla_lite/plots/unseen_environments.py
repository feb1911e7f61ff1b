"""Figure of the unseen-environments experiment (grid worlds -> classic control, projected)."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from symla_lite.experiments.unseen_environments import DIM, complete, over_lifetimes, per_seed
from symla_lite.verdict import across

COLORS = {"symla": "C0", "random": "C1", "reinforce": "C2", "metarnn": "C3", "symla_grid": "C4"}


def _curves(ax, ep: pd.DataFrame) -> None:
    """Return per episode: one line per seed of a meta-learned method, mean ± sem over lifetimes
    for the fixed ones."""
    for (method, seed), sub in ep.groupby(["method", "seed"], dropna=False, sort=False):
        color = COLORS.get(method)
        if pd.isna(seed):
            ax.plot(sub["episode"], sub["return_mean"], color=color, label=method)
            ax.fill_between(
                sub["episode"],
                sub["return_mean"] - sub["return_sem"],
                sub["return_mean"] + sub["return_sem"],
                color=color,
                alpha=0.2,
            )
        else:
            first = seed == ep.loc[ep["method"] == method, "seed"].min()
            ax.plot(
                sub["episode"], sub["return_mean"], color=color, lw=1, alpha=0.8,
                label=f"{method} (one line per seed)" if first else None,
            )  # fmt: skip


def _gains(ax, lives: pd.DataFrame) -> None:
    """Late minus early return per episode (`gain`) per method: a point per SymLA seed and their
    mean ± standard error across seeds; the fixed methods' mean ± sem over test lifetimes."""
    methods = list(dict.fromkeys(lives["method"]))
    for x, method in enumerate(methods):
        sub = lives[lives["method"] == method]
        color = COLORS.get(method)
        if sub["seed"].notna().any():
            seeds = per_seed(sub, "gain")
            ax.scatter(np.full(seeds.size, x - 0.15), seeds, color=color, s=14)
            m, e = across(seeds)
        else:
            m, e = over_lifetimes(sub, "gain")
        ax.errorbar([x], [m], yerr=[0 if np.isnan(e) else e], fmt="o", color=color, capsize=4)
    ax.axhline(0, color="0.7", lw=0.8)
    ax.set_xticks(range(len(methods)), methods, **({"rotation": 30} if len(methods) > 3 else {}))


def plot(episodes: pd.DataFrame, lifetimes: pd.DataFrame | None = None):
    """Top: return per episode over the lifetime, one panel per environment, every method and
    SymLA seed. Bottom (with `lifetimes`): late minus early return per episode, per SymLA seed
    (points) and method (mean ± standard error)."""
    ep = complete(episodes)
    envs_ = list(ep["env"].unique())
    rows = 1 if lifetimes is None else 2
    fig, axes = plt.subplots(rows, len(envs_), figsize=(4 * len(envs_), 3.2 * rows), squeeze=False)
    for j, env_id in enumerate(envs_):
        ax = axes[0][j]
        _curves(ax, ep[ep["env"] == env_id])
        ax.set_title(f"{env_id} (projected to {DIM} dims)")
        ax.set_xlabel("episode within the lifetime")
        ax.set_ylabel("return per episode")
        if lifetimes is not None:
            _gains(axes[1][j], lifetimes[lifetimes["env"] == env_id])
            axes[1][j].set_ylabel("late − early return per episode")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return fig
