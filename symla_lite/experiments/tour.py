"""The tour notebook's logic: meta-train a bandit learner, compare it with Thompson sampling on the
same test lifetimes, and look inside a trained SymLA over one lifetime.

`trace_lifetime` runs one lifetime with `rollout.run_lifetime`, recording the agent's state at every
step (for SymLA the A x B per-weight LSTM states and the forward messages), so that learning can be
watched as the rewards arrive.
"""

from pathlib import Path

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from symla_lite import baselines, envs, evaluation, meta, params_io, rollout
from symla_lite.envs.bandit import BanditParams
from symla_lite.presets import preset as preset_table

DIST = "uniform_dependent"
N_TEST = {"smoke": 500, "lite": 5000, "paper": 20_000}
SHIPPED = "results/shipped"


def train_config(preset: str, seed: int, checkpoint_dir: str | None = None) -> meta.TrainConfig:
    """SymLA on two-armed uniform-dependent bandits, hyper-parameters from the preset."""
    return meta.TrainConfig(
        agent="symla",
        env="bandit",
        env_kwargs={"dist": DIST, "num_arms": 2},
        preset=preset,
        seed=seed,
        checkpoint_dir=checkpoint_dir,
        resume="auto" if checkpoint_dir else False,
        progress=True,
    )


def load_shipped(agent_name: str = "symla", shipped_dir: str = SHIPPED):
    """(params, agent, meta) of the shipped parameters (see results/shipped/README.md)."""
    return params_io.load_params(Path(shipped_dir) / f"{agent_name}_bandit.npz")


def regret_tables(learners: dict, preset: str, seed: int, n_test: int | None = None):
    """Regret of each learner {label: (agent, params)} and of Thompson sampling, all on the same
    test tasks and keys; returns (summary rows, regret-over-time curves)."""
    horizon = int(preset_table(preset, "bandit")["lifetime"])
    n_test = N_TEST[preset] if n_test is None else int(n_test)
    env = envs.make("bandit", dist=DIST, num_arms=2)
    key = evaluation.test_key(seed, "tour")
    k_tasks, k_life = jax.random.split(key)
    tasks = evaluation.sample_tasks(env, k_tasks, n_test)
    # equal chunks: evaluation.regret pads a short last chunk from itself, which needs it to be
    # at least as long as the padding
    chunk = -(-n_test // -(-n_test // 2500))
    rows, curves = [], []
    for label, (agent, params) in {**learners, "thompson": (baselines.Thompson(), {})}.items():
        s = evaluation.regret(agent, params, env, tasks, k_life, horizon, chunk)
        rows.append(evaluation.summary_row(s, method=label, test_dist=DIST, horizon=horizon))
        curves.append(evaluation.curve_frame(s, method=label))
    return pd.DataFrame(rows), pd.concat(curves, ignore_index=True)


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


def trace_lifetime(agent, params, probs, key: jax.Array, length: int):
    """One lifetime of a SymLA agent on arms with payout `probs`, recording its state per step.

    Returns (frame, h): frame has step, action, reward, logit_<b>, prob_<b>, h_norm_<b> (norm of
    the per-weight LSTM state of weight (obs 0, action b)) and fwd_<b> (its forward message's
    first component, which is the logit of the next step); h is float32[L, B, N] for obs 0.
    """
    probs = jnp.asarray(probs, jnp.float32)
    num_arms = int(probs.shape[0])
    env = envs.make("bandit", dist="uniform_independent", num_arms=num_arms)

    def inside(state):  # the last layer's LSTM states of obs 0 and its forward messages
        return state.layers[-1].h[0], state.layers[-1].fwd

    run = jax.jit(
        lambda p, k: rollout.run_lifetime(
            agent, p, env, BanditParams(probs=probs), k, length, inside
        )
    )
    life = jax.device_get(run(params, key))  # numpy leaves
    logits, (h, fwd) = life.logits, life.record
    frame = pd.DataFrame(
        {"step": np.arange(1, length + 1), "action": life.actions, "reward": life.rewards}
    )
    p = np.asarray(jax.nn.softmax(logits, axis=-1))
    for b in range(num_arms):
        frame[f"logit_{b}"] = logits[:, b]
        frame[f"prob_{b}"] = p[:, b]
        frame[f"h_norm_{b}"] = np.linalg.norm(h[:, b], axis=-1)
        frame[f"fwd_{b}"] = fwd[:, b, 0]
    return frame, h


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
