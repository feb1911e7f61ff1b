"""The tour notebook's logic: meta-train a bandit learner, compare it with Thompson sampling on the
same test lifetimes, and look inside a trained SymLA over one lifetime.

`trace_lifetime` runs one lifetime with `rollout.run_lifetime`, recording the agent's state at every
step (for SymLA the A x B per-weight LSTM states and the forward messages), so that learning can be
watched as the rewards arrive. Figures: `symla_lite.plots.tour`.
"""

import functools
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from symla_lite import agents, envs, evaluation, meta, params_io, presets, rollout
from symla_lite.envs.bandit import BanditParams

DIST = "uniform_dependent"
SHIPPED = str(Path(__file__).resolve().parents[1] / "shipped_bandit")  # package data


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


def load_shipped(agent_name: str = "symla", shipped_dir: str | None = None):
    """(params, agent, meta) of the shipped parameters in `shipped_dir` (None: SHIPPED, the copy
    installed with the package; its README.md says how they were made)."""
    return params_io.load_params(Path(shipped_dir or SHIPPED) / f"{agent_name}_bandit.npz")


def check(n_test, probs, shipped_dir: str | None) -> None:
    """The tour's parameters, before any work: a clear error unless `n_test` is None or >= 2,
    `probs` holds at least 2 payout probabilities in [0, 1] and `shipped_dir` the shipped files."""
    if n_test is not None and n_test < 2:
        raise ValueError(f"parameter 'n_test' must be >= 2 (or None: the preset's), got {n_test}")
    if len(probs) < 2:
        raise ValueError(f"parameter 'probs' needs at least 2 arms' probabilities, got {probs}")
    for p in probs:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"probs entries must lie in [0, 1], got {p}")
    files = [Path(shipped_dir or SHIPPED) / f"{name}_bandit.npz" for name in ("symla", "metarnn")]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise FileNotFoundError(
            f"parameter 'shipped_dir': no shipped meta-parameters {missing} (see {SHIPPED}/README.md)"
        )


def identical(shipped, params, preset: str, seed: int) -> bool | None:
    """Whether `params` (meta-trained in this run) are bit for bit the shipped (params, agent,
    meta) `shipped`; None unless this run has the shipped file's preset and seed."""
    ship_params, _, ship_meta = shipped
    if (ship_meta["preset"], ship_meta["seed"]) != (preset, seed):
        return None
    leaves = zip(jax.tree.leaves(ship_params), jax.tree.leaves(params), strict=True)
    return all(bool((a == b).all()) for a, b in leaves)


def regret_tables(learners: dict, preset: str, seed: int, n_test: int | None = None):
    """Regret of each learner {label: (agent, params)} and of Thompson sampling, all on the same
    test tasks and keys, over the preset's bandit lifetime; returns (summary rows, regret-over-time
    curves)."""
    horizon = int(train_config(preset, seed).hyper()["lifetime"])
    n_test = presets.evaluation(preset)["tour_tests"] if n_test is None else int(n_test)
    env = envs.make("bandit", dist=DIST, num_arms=2)
    test = evaluation.test_set(env, evaluation.test_key(seed, "tour"), n_test)
    rows, curves = [], []
    for label, (agent, params) in {**learners, "thompson": (agents.make("thompson"), {})}.items():
        s = evaluation.regret(agent, params, test, horizon, chunk=2500)
        rows.append(evaluation.summary_row(s, method=label, test_dist=DIST, horizon=horizon))
        curves.append(evaluation.curve_frame(s, method=label))
    return pd.DataFrame(rows), pd.concat(curves, ignore_index=True)


@functools.cache  # one program per agent, number of arms and length: the explorer redraws fast
def _lifetime(agent, num_arms: int, length: int):
    """jit((params, probs, key) -> rollout.Lifetime of `length` steps on `num_arms` arms paying
    `probs`), recording the last layer's LSTM states of obs 0 and its forward messages."""
    env = envs.make("bandit", dist="uniform_independent", num_arms=num_arms)

    def inside(state):
        return state.layers[-1].h[0], state.layers[-1].fwd

    return jax.jit(
        lambda p, probs, k: rollout.run_lifetime(
            agent, p, env, BanditParams(probs=probs), k, length, inside
        )
    )


def trace_lifetime(agent, params, probs, key: jax.Array, length: int):
    """One lifetime of a SymLA agent on arms with payout `probs`, recording its state per step.

    Returns (frame, h): frame has step, action, reward, logit_<b>, prob_<b>, h_norm_<b> (norm of
    the per-weight LSTM state of weight (obs 0, action b)) and fwd_<b> (its forward message's
    first component, which is the logit of the next step); h is float32[L, B, N] for obs 0.
    """
    probs = jnp.asarray(probs, jnp.float32)
    num_arms = int(probs.shape[0])
    life = jax.device_get(_lifetime(agent, num_arms, length)(params, probs, key))  # numpy leaves
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


MAX_ARMS = 6  # the explorer's largest number of arms


def explore(agent, params, probs, permute: bool, key: jax.Array, length: int) -> pd.DataFrame:
    """One lifetime of `agent` on arms paying `probs`, the actions shown to it in a random order
    (drawn from `key`) when `permute`: one row per step with the arm pulled (`arm`, in the order of
    `probs`), `reward`, the policy over arms (`prob_<j>`) and the cumulative `regret` (the best
    arm's probability minus the pulled one's, summed)."""
    probs = np.asarray(probs, np.float32)
    k = probs.size
    # the learner's action a pulls arm perm[a]
    perm = (
        np.asarray(jax.random.permutation(jax.random.fold_in(key, 1), k))
        if permute
        else np.arange(k)
    )
    frame, _ = trace_lifetime(agent, params, probs[perm], key, length)
    arm = perm[frame["action"].to_numpy()]
    out = pd.DataFrame({"step": frame["step"], "arm": arm, "reward": frame["reward"]})
    for a, j in enumerate(perm):
        out[f"prob_{j}"] = frame[f"prob_{a}"]
    out = out[["step", "arm", "reward", *[f"prob_{j}" for j in range(k)]]]
    return out.assign(regret=np.cumsum(probs.max() - probs[arm]), permuted=bool(permute))


def explore_words(frame: pd.DataFrame, probs) -> str:
    """What to look at in an `explore` lifetime, every number from it: how often the best arm was
    pulled in the second half of the lifetime, and the regret at the end."""
    probs = np.asarray(probs, np.float64)
    best = int(np.argmax(probs))
    late = frame[frame["step"] > len(frame) // 2]
    share = float((late["arm"] == best).mean())
    order = (
        "with its actions permuted" if frame["permuted"].iloc[0] else "with its actions in order"
    )
    return (
        f"Over this lifetime of {len(frame)} steps ({len(probs)} arms, {order}), the shipped "
        f"SymLA pulled the best arm (arm {best}, p = {probs[best]:.2f}) in {share:.0%} of the "
        f"second half of its steps (a uniform guess: {1 / len(probs):.0%}); its regret at the end "
        f"is {frame['regret'].iloc[-1]:.1f}."
    )
