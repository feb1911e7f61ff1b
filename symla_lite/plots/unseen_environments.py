"""Figure of the unseen-environments experiment (grid worlds -> classic control, projected)."""

import matplotlib.pyplot as plt
import pandas as pd

from symla_lite.experiments.unseen_environments import DIM, complete


def plot(episodes: pd.DataFrame):
    """Return per episode over the lifetime, one panel per environment, every method."""
    ep = complete(episodes)
    envs_ = list(ep["env"].unique())
    fig, axes = plt.subplots(1, len(envs_), figsize=(4 * len(envs_), 3.2), squeeze=False)
    for ax, env_id in zip(axes[0], envs_, strict=True):
        for method, sub in ep[ep["env"] == env_id].groupby("method"):
            ax.plot(sub["episode"], sub["return_mean"], label=method)
            ax.fill_between(
                sub["episode"],
                sub["return_mean"] - sub["return_sem"],
                sub["return_mean"] + sub["return_sem"],
                alpha=0.2,
            )
        ax.set_title(f"{env_id} (projected to {DIM} dims)")
        ax.set_xlabel("episode within the lifetime")
        ax.set_ylabel("return per episode")
    axes[0][0].legend()
    fig.tight_layout()
    return fig
