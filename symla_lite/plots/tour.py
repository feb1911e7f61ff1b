"""Figures of the tour notebook: regret over time, and the inside of a trained SymLA."""

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from symla_lite.experiments import tour as T
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


def plot_explore(frame: pd.DataFrame, probs):
    """`experiments.tour.explore`'s lifetime: the policy over arms (left, ticks where each arm was
    pulled) and the cumulative regret (right)."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9, 3.2))
    for j, p in enumerate(probs):
        line = ax.plot(frame["step"], frame[f"prob_{j}"], label=f"arm {j}, p = {p:.2f}")[0]
        hit = frame[frame["arm"] == j]
        ax.scatter(hit["step"], np.full(len(hit), 1.04 + 0.03 * j), s=6, marker="|",
                   color=line.get_color())  # fmt: skip
    how = "actions permuted" if frame["permuted"].iloc[0] else "actions in order"
    ax.set(xlabel="step t", ylabel="probability of pulling", ylim=(-0.02, 1.06 + 0.03 * len(probs)),
           title=f"policy over one lifetime ({how})")  # fmt: skip
    ax.legend(fontsize=7, loc="center right")
    bx.plot(frame["step"], frame["regret"], color="k")
    bx.set(
        xlabel="step t", ylabel="cumulative regret", title=f"regret {frame['regret'].iloc[-1]:.1f}"
    )
    fig.tight_layout()
    return fig


def explorer(agent, params, probs, key, length: int, draw=None):
    """An ipywidgets box to move the arms' payout probabilities, their number (2 to MAX_ARMS) and
    whether the actions are permuted; each change redraws `draw(explore(...), probs)`
    (`plot_explore` by default) in its output area, empty until the first change: the notebook
    draws the default once, statically. `probs`: the starting probabilities."""
    import ipywidgets as w
    from IPython.display import Image, display

    draw = draw or plot_explore

    style = {"description_width": "initial"}
    n = w.IntSlider(len(probs), min=2, max=T.MAX_ARMS, description="arms", style=style)
    sliders = [
        w.FloatSlider(probs[j] if j < len(probs) else 0.5, min=0, max=1, step=0.05,
                      description=f"p(arm {j})", style=style)
        for j in range(T.MAX_ARMS)
    ]  # fmt: skip
    permute = w.Checkbox(False, description="permute the actions")
    area = w.Output()

    def show_arms_in_play():
        for j, s in enumerate(sliders):
            s.layout.display = None if j < n.value else "none"

    def redraw(_=None):
        show_arms_in_play()
        p = [s.value for s in sliders[: n.value]]
        with area:
            area.clear_output(wait=True)
            fig = draw(T.explore(agent, params, p, permute.value, key, length), p)
            png = io.BytesIO()  # a PNG, whatever matplotlib backend the kernel runs
            fig.savefig(png, format="png", dpi=100)
            plt.close(fig)
            display(Image(png.getvalue()))

    for c in (n, permute, *sliders):
        c.observe(redraw, names="value")
    show_arms_in_play()  # the figure above is the default: draw on the first change
    return w.VBox([w.HBox([n, permute]), w.HBox(sliders[:3]), w.HBox(sliders[3:]), area])
