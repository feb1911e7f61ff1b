"""The Bayes-optimal two-arm bandit policy, by exact dynamic programming over the posterior.

For a prior over the arm probabilities and a horizon L, the policy maximising expected total reward
(equivalently minimising expected regret, since E[max_k p_k] does not depend on the policy) is found
by backward induction over sufficient statistics of the posterior:

- `uniform_independent` (p1, p2 ~ U[0, 1]): the posterior is Beta(1 + s_k, 1 + f_k) per arm, so the
  state is (s1, f1, s2, f2) with s1 + f1 + s2 + f2 = t: O(L^4) states, solved one t at a time with
  numpy arrays over (s1, f1, s2).
- dependent priors (p2 = 1 - p1: `uniform_dependent` and the two-point `easy/medium/hard_dependent`):
  a success of arm 0 or a failure of arm 1 is evidence a for "p1 high", the other two outcomes are
  evidence b; the posterior of p1 depends on (a, b) only (for two-point priors on a - b), O(L^2).

Solutions are cached per (prior, horizon). `BayesOptimal` exposes the policy with the agent interface
(SPEC section 1) so it runs through `symla_lite.rollout` like every other agent; its params are the
decision tables. Ties are broken uniformly at random (logit 0 on every optimal arm).
"""

import functools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct

from symla_lite.agents.protocol import AnySize, choice_logits
from symla_lite.envs.bandit import TWO_POINT

PRIORS = ("uniform_independent", "uniform_dependent", *TWO_POINT)
TIE = 1e-12  # Q values closer than this (relative) count as a tie


def expected_best(prior: str) -> float:
    """E[max_k p_k] under a two-arm prior: the expected reward per step of an oracle."""
    _check_prior(prior)
    if prior == "uniform_independent":
        return 2.0 / 3.0
    if prior == "uniform_dependent":
        return 0.75
    return 1.0 - TWO_POINT[prior]


def _check_prior(prior: str) -> None:
    if prior not in PRIORS:
        raise ValueError(f"no Bayes-optimal DP for prior {prior!r}; choose one of {PRIORS}")


def _check_horizon(horizon: int) -> int:
    horizon = int(horizon)
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")
    if horizon > 300:
        raise ValueError(f"horizon {horizon} is too long for the exact DP (at most 300)")
    return horizon


@dataclass(frozen=True)
class Solution:
    """value: expected total reward of the optimal policy over the horizon (float).

    best: the optimal arms, bool. Independent prior: packed bits, uint8[2, ceil((L+1)^4 / 8)],
    row k set at flat index ((s1 * (L+1) + f1) * (L+1) + s2) * (L+1) + f2 when arm k is optimal.
    Dependent priors: bool[2, L, L + 1], [k, t, a] set when arm k is optimal at step t with a.
    """

    prior: str
    horizon: int
    value: float
    best: np.ndarray

    @property
    def regret(self) -> float:
        """Expected cumulative regret of the optimal policy over the horizon."""
        return self.horizon * expected_best(self.prior) - self.value


def posterior_mean_p1(prior: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """E[p1 | a, b] for a dependent prior (a, b: evidence counts for p1 high / low)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if prior == "uniform_dependent":
        return (a + 1.0) / (a + b + 2.0)
    lo = TWO_POINT[prior]
    hi = 1.0 - lo
    # P(p1 = hi | a, b) = 1 / (1 + (lo / hi)^(a - b)), computed stably.
    post_hi = 1.0 / (1.0 + np.exp((a - b) * np.log(lo / hi)))
    return lo + (hi - lo) * post_hi


def _ties(q0: np.ndarray, q1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tol = TIE * np.maximum(1.0, np.maximum(np.abs(q0), np.abs(q1)))
    return q0 >= q1 - tol, q1 >= q0 - tol


def _solve_dependent(prior: str, horizon: int) -> Solution:
    best = np.zeros((2, horizon, horizon + 1), bool)
    v_next = np.zeros(horizon + 1)  # V_{t+1}[a], a = 0..t+1
    for t in range(horizon - 1, -1, -1):
        a = np.arange(t + 1)
        p = posterior_mean_p1(prior, a, t - a)
        up, same = v_next[1 : t + 2], v_next[: t + 1]  # a + 1 or a after one more observation
        q0 = p * (1.0 + up) + (1.0 - p) * same  # arm 0: success -> a + 1, failure -> b + 1
        q1 = (1.0 - p) * (1.0 + same) + p * up  # arm 1: success -> b + 1, failure -> a + 1
        best[0, t, : t + 1], best[1, t, : t + 1] = _ties(q0, q1)
        v_next = np.maximum(q0, q1)
    return Solution(prior=prior, horizon=horizon, value=float(v_next[0]), best=best)


def _solve_independent(horizon: int) -> Solution:
    n = horizon + 1
    best = np.zeros((2, n, n, n, n), bool)
    v_next = np.zeros((n, n, n))  # V_{t+1}[s1, f1, s2], f2 = t + 1 - s1 - f1 - s2
    for t in range(horizon - 1, -1, -1):
        s1, f1, s2 = np.ogrid[: t + 1, : t + 1, : t + 1]
        f2 = t - s1 - f1 - s2
        valid = f2 >= 0
        f2c = np.maximum(f2, 0)
        p1 = (s1 + 1.0) / (s1 + f1 + 2.0)
        p2 = (s2 + 1.0) / (s2 + f2c + 2.0)
        v = v_next[: t + 2, : t + 2, : t + 2]
        q0 = p1 * (1.0 + v[1:, :-1, :-1]) + (1.0 - p1) * v[:-1, 1:, :-1]
        q1 = p2 * (1.0 + v[:-1, :-1, 1:]) + (1.0 - p2) * v[:-1, :-1, :-1]
        b0, b1 = _ties(q0, q1)
        i1, i2, i3 = np.nonzero(valid)
        i4 = f2c[i1, i2, i3]
        best[0, i1, i2, i3, i4] = b0[i1, i2, i3]
        best[1, i1, i2, i3, i4] = b1[i1, i2, i3]
        v_next = np.zeros((n, n, n))
        v_next[: t + 1, : t + 1, : t + 1] = np.where(valid, np.maximum(q0, q1), 0.0)
    packed = np.packbits(best.reshape(2, -1), axis=1)
    return Solution(
        prior="uniform_independent", horizon=horizon, value=float(v_next[0, 0, 0]), best=packed
    )


@functools.lru_cache(maxsize=16)
def solve(prior: str, horizon: int) -> Solution:
    """The exact Bayes-optimal policy and its value for `prior` over `horizon` steps (cached)."""
    _check_prior(prior)
    horizon = _check_horizon(horizon)
    if prior == "uniform_independent":
        return _solve_independent(horizon)
    return _solve_dependent(prior, horizon)


@struct.dataclass
class BayesState:
    counts: jax.Array  # float32[4]: s1, f1, s2, f2 (independent) or a, b, 0, 0 (dependent)
    key: jax.Array


@dataclass(frozen=True)
class BayesOptimal(AnySize):
    """The Bayes-optimal policy for `prior` at `horizon`, with the agent interface.

    Run it for exactly `horizon` steps of a two-arm bandit drawn from `prior` (its steps beyond the
    horizon act greedily on the posterior mean). params = init(key) holds the decision tables.
    """

    prior: str = "uniform_dependent"
    horizon: int = 100
    name: str = "bayes_optimal"

    def __post_init__(self):
        _check_prior(self.prior)
        object.__setattr__(self, "horizon", _check_horizon(self.horizon))

    @property
    def solution(self) -> Solution:
        return solve(self.prior, self.horizon)

    def init(self, key):
        return {"best": jnp.asarray(self.solution.best)}

    def initial_state(self, key, num_obs, num_actions):
        if int(num_actions) != 2:
            raise ValueError(
                f"the Bayes-optimal DP covers two-arm bandits only, got num_actions={num_actions}"
            )
        return BayesState(counts=jnp.zeros((4,), jnp.float32), key=key)

    def _update(self, counts, prev_action, prev_reward):
        r = jnp.asarray(prev_reward, jnp.float32)
        if self.prior == "uniform_independent":
            idx = 2 * prev_action + jnp.where(r > 0.5, 0, 1)  # s_k or f_k of the pulled arm
            hit = jax.nn.one_hot(idx, 4, dtype=jnp.float32)
        else:
            # arm 0 success or arm 1 failure -> a; arm 0 failure or arm 1 success -> b
            to_a = jnp.where(prev_action == 0, r > 0.5, r <= 0.5)
            hit = jnp.where(to_a, jnp.array([1.0, 0, 0, 0]), jnp.array([0.0, 1, 0, 0]))
            hit = jnp.where(prev_action >= 0, hit, 0.0)
        return counts + hit

    def _optimal(self, params, counts) -> tuple[jax.Array, jax.Array]:
        c = counts.astype(jnp.int32)
        t = c.sum()
        inside = t < self.horizon
        n = self.horizon + 1
        if self.prior == "uniform_independent":
            ci = jnp.minimum(c, self.horizon)
            flat = ((ci[0] * n + ci[1]) * n + ci[2]) * n + ci[3]
            byte = params["best"][:, flat // 8]
            bits = (byte >> (7 - flat % 8).astype(jnp.uint8)) & 1
            table = bits.astype(bool)
            p = (counts[jnp.array([0, 2])] + 1.0) / (counts[0::2] + counts[1::2] + 2.0)
        else:
            table = params["best"][:, jnp.minimum(t, self.horizon - 1), jnp.minimum(c[0], n - 1)]
            if self.prior == "uniform_dependent":
                p1 = (counts[0] + 1.0) / (counts[0] + counts[1] + 2.0)
            else:
                lo = TWO_POINT[self.prior]
                post_hi = jax.nn.sigmoid((counts[0] - counts[1]) * jnp.log((1.0 - lo) / lo))
                p1 = lo + (1.0 - 2.0 * lo) * post_hi
            p = jnp.stack([p1, 1.0 - p1])
        greedy = p >= p.max()
        return jnp.where(inside, table, greedy), t

    def step(self, params, state, obs, prev_action, prev_reward):
        counts = self._update(state.counts, prev_action, prev_reward)
        best, _ = self._optimal(params, counts)
        return choice_logits(best), state.replace(counts=counts)
