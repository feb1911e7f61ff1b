"""Measured checks behind the paper's Table 1: black box or not, and the symmetries of learning.

Every check runs an agent (agent interface, SPEC section 1) over short random sequences of
(observation, previous action, previous reward) with random parameters and reports a number:

- `black_box`: the learning algorithm is a forward pass of the meta-learned network. Measured as
  two facts about `agent.step` (one step of within-lifetime learning): (1) the number of operations
  in its jaxpr that come from automatic differentiation (JAX records `jvp(...)` / `transpose(...)`
  in the name stack of every equation it creates while differentiating), and (2) whether the state
  it updates depends on the meta-parameters at all (two random meta-parameter draws, same inputs).
  Black box = no differentiation inside the step and learning that is shaped by meta-parameters.
- `input_permutation`: logits with the observation components permuted minus logits without,
  maximum absolute deviation over all steps and trials (invariance).
- `action_permutation`: prev_action relabelled by a permutation s, logits'[s] minus logits
  (equivariance), maximum absolute deviation.
- `unseen_sizes`: parameters made for one (num_obs, num_actions) run at other sizes: finite logits
  of the right shape, or the error the agent raises.
- `param_counts`: meta-parameters and per-lifetime learned state at two sizes.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from jax.extend.core import jaxprs_in_params

from symla_lite import agents

METHODS = ("reinforce", "metarnn", "symla")
PROPERTIES = (
    "black_box",
    "input_permutation_invariant",
    "action_permutation_equivariant",
    "runs_on_unseen_sizes",
    "meta_params_size_independent",
)
# The paper's Table 1: "Black box" ✗ ✓ ✓ and "Symmetries in learning algorithm" ✓ ✗ ✓ for
# REINFORCE, MetaRNN, SymLA; the symmetry row is read as all four symmetry properties, and
# REINFORCE has no meta-parameters (its "meta variables" cell is empty), so its count is 0 at any size.
PAPER_CLAIMS = {
    "reinforce": dict(zip(PROPERTIES, (False, True, True, True, True), strict=True)),
    "metarnn": dict(zip(PROPERTIES, (True, False, False, False, False), strict=True)),
    "symla": dict(zip(PROPERTIES, (True, True, True, True, True), strict=True)),
}
AUTODIFF = re.compile(r"\b(jvp|transpose|vjp|linearize)\(")
REINFORCE_CHECK_LR = 1.0  # large, so that the learned logits move far from zero within a few steps


def build(method: str, num_obs: int, num_actions: int, hidden: int = 16):
    """The agent of `method` sized for a task with num_obs inputs and num_actions actions."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")
    config = {"lr": REINFORCE_CHECK_LR} if method == "reinforce" else {"hidden": hidden}
    return agents.make(method, **config).for_task(num_obs, num_actions)


@dataclass(frozen=True)
class Sequence:
    """Inputs of `steps` agent steps: obs float32[T, A], prev_action int32[T] (-1 first),
    prev_reward float32[T] (0 first)."""

    obs: jax.Array
    prev_action: jax.Array
    prev_reward: jax.Array


def random_sequence(key: jax.Array, steps: int, num_obs: int, num_actions: int) -> Sequence:
    k_obs, k_act, k_rew = jax.random.split(key, 3)
    actions = jax.random.randint(k_act, (steps,), 0, num_actions, jnp.int32).at[0].set(-1)
    rewards = jax.random.normal(k_rew, (steps,), jnp.float32).at[0].set(0.0)
    return Sequence(jax.random.normal(k_obs, (steps, num_obs), jnp.float32), actions, rewards)


@lru_cache(maxsize=32)
def _runner(agent, num_obs: int, num_actions: int):
    """A jitted function (params, key, obs, prev_action, prev_reward) -> (logits[T, B], state)."""

    def run(params, key, obs, prev_action, prev_reward):
        state = agent.initial_state(key, num_obs, num_actions)

        def step(state, x):
            logits, state = agent.step(params, state, *x)
            return state, logits

        state, logits = jax.lax.scan(step, state, (obs, prev_action, prev_reward))
        return logits, state

    return jax.jit(run)


def run_sequence(agent, params, seq: Sequence, key: jax.Array, num_actions: int):
    """Logits float32[T, num_actions] and the final state of `agent` fed `seq`."""
    num_obs = int(seq.obs.shape[1])
    fn = _runner(agent, num_obs, int(num_actions))
    return fn(params, key, seq.obs, seq.prev_action, seq.prev_reward)


def _non_identity_permutation(rng: np.random.Generator, n: int) -> np.ndarray:
    if n < 2:
        raise ValueError(f"a permutation check needs at least two elements, got {n}")
    while True:
        perm = rng.permutation(n)
        if (perm != np.arange(n)).any():
            return perm


@dataclass(frozen=True)
class Check:
    """One measured cell: whether the property holds and the number it was decided by."""

    holds: bool
    value: float  # the deviation, count or error measure behind `holds`
    detail: str
    tolerance: float = float("nan")  # `holds` is value <= tolerance for the deviation checks
    noise_floor: float = float("nan")  # deviation caused by a 1-ulp change of the inputs


ULP = 2.0**-23  # float32 relative rounding step


def _permutation_check(agent, num_obs, num_actions, key, trials, steps, rtol, permute) -> Check:
    """Maximum deviation from the symmetry over `trials` random (params, sequence, permutation).

    A permutation changes only the order of float32 sums, and a recurrent learner amplifies such
    rounding differences over steps. The noise floor measures that amplification: the deviation
    of the logits when every observation is scaled by (1 + 2^-23). The verdict is relative to the
    logits' spread (rtol); a method without the symmetry deviates by about the spread itself.
    """
    rng = np.random.default_rng(np.asarray(jax.random.key_data(key)).ravel())
    max_dev, scale, floor = 0.0, 0.0, 0.0
    for k in jax.random.split(key, trials):
        k_params, k_seq, k_state = jax.random.split(k, 3)
        params = agent.init(k_params)
        seq = random_sequence(k_seq, steps, num_obs, num_actions)
        logits, _ = run_sequence(agent, params, seq, k_state, num_actions)
        perm = _non_identity_permutation(rng, num_obs if permute == "input" else num_actions)
        if permute == "input":
            seq_p = Sequence(seq.obs[:, perm], seq.prev_action, seq.prev_reward)
            expected = logits
            got, _ = run_sequence(agent, params, seq_p, k_state, num_actions)
        else:
            relabel = jnp.asarray(perm, jnp.int32)
            moved = jnp.where(seq.prev_action >= 0, relabel[jnp.maximum(seq.prev_action, 0)], -1)
            seq_p = Sequence(seq.obs, moved, seq.prev_reward)
            logits_p, _ = run_sequence(agent, params, seq_p, k_state, num_actions)
            expected, got = logits, logits_p[:, perm]  # logits'[s(b)] must equal logits[b]
        nudged = Sequence(seq.obs * (1.0 + ULP), seq.prev_action, seq.prev_reward)
        logits_n, _ = run_sequence(agent, params, nudged, k_state, num_actions)
        logits = np.asarray(logits)
        scale = max(scale, float(np.abs(logits - logits.mean(-1, keepdims=True)).max()))
        max_dev = max(max_dev, float(np.abs(np.asarray(got) - np.asarray(expected)).max()))
        floor = max(floor, float(np.abs(np.asarray(logits_n) - logits).max()))
    tol = rtol * max(1.0, scale)
    what = "observation components" if permute == "input" else "action labels"
    return Check(
        holds=max_dev <= tol,
        value=max_dev,
        tolerance=tol,
        noise_floor=floor,
        detail=(
            f"max |deviation| {max_dev:.1e} (tolerance {tol:.1e}; float32 noise floor "
            f"{floor:.1e}) over {trials} random params x permutations of "
            f"{num_obs if permute == 'input' else num_actions} {what} x {steps} steps; "
            f"logits spread up to {scale:.2f}"
        ),
    )


def input_permutation(
    method, num_obs=16, num_actions=4, hidden=16, *, key, trials=8, steps=8, rtol=1e-3
) -> Check:
    """Invariance of the logits to permuting the observation components."""
    agent = build(method, num_obs, num_actions, hidden)
    return _permutation_check(agent, num_obs, num_actions, key, trials, steps, rtol, "input")


def action_permutation(
    method, num_obs=16, num_actions=4, hidden=16, *, key, trials=8, steps=8, rtol=1e-3
) -> Check:
    """Equivariance of the logits to relabelling the actions."""
    agent = build(method, num_obs, num_actions, hidden)
    return _permutation_check(agent, num_obs, num_actions, key, trials, steps, rtol, "action")


def _walk(jaxpr, found: list) -> None:
    for eqn in jaxpr.eqns:
        name = str(eqn.source_info.name_stack)
        if AUTODIFF.search(name):
            found.append((eqn.primitive.name, name))
        for sub in jaxprs_in_params(eqn.params):
            _walk(sub, found)


def autodiff_ops(agent, params, num_obs: int, num_actions: int) -> list[tuple[str, str]]:
    """The (primitive, name stack) of every operation in `agent.step`'s jaxpr created by autodiff."""
    state = agent.initial_state(jax.random.key(0), num_obs, num_actions)
    closed = jax.make_jaxpr(agent.step)(
        params, state, jnp.ones((num_obs,), jnp.float32), jnp.int32(0), jnp.float32(1.0)
    )
    found: list = []
    _walk(closed.jaxpr, found)
    return found


def black_box(method, num_obs=16, num_actions=4, hidden=16, *, key, steps=10) -> Check:
    """Within-lifetime learning is a forward pass of the meta-learned network (see module doc)."""
    agent = build(method, num_obs, num_actions, hidden)
    k1, k2, k_seq, k_state = jax.random.split(key, 4)
    p1, p2 = agent.init(k1), agent.init(k2)
    n_meta = agents.num_params(p1)
    ops = autodiff_ops(agent, p1, num_obs, num_actions)
    seq = random_sequence(k_seq, steps, num_obs, num_actions)
    _, s1 = run_sequence(agent, p1, seq, k_state, num_actions)
    _, s2 = run_sequence(agent, p2, seq, k_state, num_actions)
    diff = jax.tree.map(lambda a, b: float(jnp.abs(a - b).max()), s1, s2)
    state_change = max(jax.tree_util.tree_leaves(diff), default=0.0)
    shaped = n_meta > 0 and state_change > 0.0
    prims = sorted({p for p, _ in ops})
    return Check(
        holds=not ops and shaped,
        value=float(len(ops)),
        detail=(
            f"{len(ops)} autodiff operations in step"
            + (f" ({', '.join(prims[:6])}{', ...' if len(prims) > 6 else ''})" if ops else "")
            + f"; {n_meta} meta-parameters; learned state after {steps} steps differs by "
            f"{state_change:.2e} between two meta-parameter draws"
        ),
    )


def unseen_sizes(
    method, trained=(1, 2), unseen=((16, 4), (3, 7)), hidden=16, *, key, steps=10
) -> Check:
    """Parameters made for `trained` = (num_obs, num_actions) run at each size in `unseen`."""
    agent = build(method, *trained, hidden)
    params = agent.init(key)
    ran, notes = [], []
    for num_obs, num_actions in unseen:
        k_seq = jax.random.fold_in(key, num_obs * 1000 + num_actions)
        seq = random_sequence(k_seq, steps, num_obs, num_actions)
        try:
            logits, _ = run_sequence(agent, params, seq, key, num_actions)
        except (ValueError, TypeError) as err:
            ran.append(False)
            notes.append(f"A={num_obs}, B={num_actions}: raises {type(err).__name__}: {err}")
            continue
        logits = np.asarray(logits)
        ok = logits.shape == (steps, num_actions) and bool(np.isfinite(logits).all())
        ran.append(ok)
        notes.append(f"A={num_obs}, B={num_actions}: {'finite logits' if ok else 'bad logits'}")
    return Check(
        holds=all(ran),
        value=float(sum(ran)) / len(ran),
        detail=f"made for A={trained[0]}, B={trained[1]}; " + "; ".join(notes),
    )


def param_counts(method, sizes=((1, 2), (16, 4)), hidden=16) -> pd.DataFrame:
    """Meta-parameters and per-lifetime learned state of `method` at each (num_obs, num_actions)."""
    rows = []
    for num_obs, num_actions in sizes:
        agent = build(method, num_obs, num_actions, hidden)
        params = agent.init(jax.random.key(0))
        state = agent.initial_state(jax.random.key(0), num_obs, num_actions)
        rows.append(
            dict(
                method=method,
                num_obs=num_obs,
                num_actions=num_actions,
                hidden=hidden,
                meta_params=agents.num_params(params),
                learned_state=agents.num_params(state),
            )
        )
    return pd.DataFrame(rows)


def size_independence(counts: pd.DataFrame) -> Check:
    """The meta-parameter count is the same at every size in `counts` (one method's rows)."""
    n = counts["meta_params"].to_numpy()
    sizes = ", ".join(
        f"{m:,} at A={a}, B={b}"
        for m, a, b in zip(n, counts["num_obs"], counts["num_actions"], strict=True)
    )
    return Check(holds=bool((n == n[0]).all()), value=float(n.max() - n.min()), detail=sizes)
