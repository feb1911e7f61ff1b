"""Figures of the tour notebook: regret over time, and the inside of a trained SymLA."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from symla_lite.experiments.tour import DIST


def plot_regret(curves: pd.DataFrame):
    fig, ax = plt.subplots(figsize=(6, 4))
    for method, g in curves.groupby("method", sort=False):
        ax.plot(g["step"], g["cum_regret_mean"], label=method)
        ax.fill_between(
            g["step"],
            g["cum_regret_mean"] - 2 * g["cum_regret_sem"],
            g["cum_regret_mean"] + 2 * g["cum_regret_sem"],
            alpha=0.2,
        )
    ax.set(xlabel="step t", ylabel="cumulative regret", title=f"{DIST} bandits (± 2 s.e.)")
    ax.legend()
    return fig


def plot_inside(frame: pd.DataFrame, h: np.ndarray, probs):
    """Top: action probabilities with the rewards; middle: logits; bottom: the per-weight LSTM
    states (hidden units x steps) of the weights to each action."""
    num_arms = h.shape[1]
    fig, axes = plt.subplots(2 + num_arms, 1, figsize=(8, 2.2 * (2 + num_arms)), sharex=True)
    steps = frame["step"]
    for b in range(num_arms):
        axes[0].plot(steps, frame[f"prob_{b}"], label=f"π(arm {b}), p = {probs[b]:.2f}")
        axes[1].plot(steps, frame[f"logit_{b}"], label=f"logit arm {b}")
        hit = frame[frame["action"] == b]
        axes[0].scatter(hit["step"], hit["reward"] * 1.08 - 0.04, s=8, marker="|")
        im = axes[2 + b].imshow(
            h[:, b].T, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1,
            extent=(0.5, len(steps) + 0.5, h.shape[2] - 0.5, -0.5),
        )  # fmt: skip
        axes[2 + b].set_ylabel(f"LSTM of weight\n(obs, arm {b}): unit")
    axes[0].set(ylabel="probability", title="pulls (ticks: reward 1 top, 0 bottom)")
    axes[0].legend(fontsize=8, loc="center right")
    axes[1].set_ylabel("logit")
    axes[1].legend(fontsize=8)
    axes[-1].set_xlabel("step t")
    fig.colorbar(im, ax=axes[2:], shrink=0.8, label="h")
    return fig
