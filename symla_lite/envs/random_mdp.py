"""Random tabular MDPs, one drawn per lifetime (in the spirit of AnyMDP), on the gymnax API.

A procedurally generated task family for meta-training. `sample_params(key)` draws one lifetime's
MDP, fixed while its episodes repeat:

- sizes: the number of states n_s ~ U{min_states..max_states} (default 4..16) and of actions
  n_a ~ U{min_actions..max_actions} (default 2..5);
- sparse transitions: each (state, action) pair of the n_s x n_a leads to k ~ U{1..max_branches}
  (default 3) next states, each drawn uniformly from the n_s states (with repetition, so possibly
  fewer distinct ones), with probabilities ~ Dirichlet(1, ..., 1) over the k branches;
- sparse deterministic rewards: each pair pays U[0.5, 1] * reward_scale with probability
  `reward_density` (default 0.2) and 0 otherwise; with probability `negative_prob` (default 0.5)
  one random pair pays -reward_scale instead; one random pair always pays +reward_scale (drawn
  last, so at least one pair pays), so a good policy collects O(1)-O(10) per episode;
- a start-state distribution ~ Dirichlet(1, ..., 1) over the n_s states, drawn once per lifetime
  (every episode starts from a fresh draw of it).

An episode lasts exactly `horizon` steps (default 20; no terminal states). The observation is the
one-hot of the current state, float32[max_states]; the reward is that of the (state, action) just
taken. Which action pays in which state is not observable: it is found only by trying, and it
persists across the episodes of a lifetime, so the task is learned across episodes.

Static shapes: the arrays are sized max_states x max_actions. States >= n_s are never reached
(no transition or start probability leads there). The action space always has `max_actions`
actions, and action a >= n_a is an alias of action a mod n_a: it behaves exactly like it (its
rows of the transition and reward tables are copies), so the number of distinct actions varies
per lifetime while the shapes stay the same.
"""

import math
from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
from flax import struct
from gymnax.environments import environment, spaces


@struct.dataclass
class MDPParams:
    transition: jax.Array  # float32[S, B, S], P(next state | state, action)
    reward: jax.Array  # float32[S, B], reward of (state, action)
    start: jax.Array  # float32[S], start-state distribution
    num_states: jax.Array  # int32 scalar n_s
    num_actions: jax.Array  # int32 scalar n_a (actions >= n_a alias a mod n_a)
    max_steps_in_episode: int = 20


@struct.dataclass
class MDPState:
    state: jax.Array  # int32 scalar, the current state
    time: int


def check_range(lo_name: str, lo, hi_name: str, hi, least: int) -> None:
    """Raise ValueError naming the field unless least <= lo <= hi."""
    if lo < least:
        raise ValueError(f"{lo_name} must be >= {least}, got {lo}")
    if hi < least:
        raise ValueError(f"{hi_name} must be >= {least}, got {hi}")
    if lo > hi:
        raise ValueError(f"{lo_name} ({lo}) must be <= {hi_name} ({hi})")


def flat_uniform(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """jax.random.uniform of `shape`, drawn flat and reshaped: the same distribution, and with
    jaxlib 0.10 on CPU a multi-dimensional draw compiled several times slower (2.2 s vs 0.3 s)."""
    return jax.random.uniform(key, (math.prod(shape),)).reshape(shape)


def uniform_int(u: jax.Array, n) -> jax.Array:
    """int32 uniform on {0..n-1} from uniforms u in [0, 1) (n may be traced: per-lifetime sizes)."""
    return jnp.minimum(jnp.floor(u * n), n - 1).astype(jnp.int32)


def dirichlet(u: jax.Array, mask: jax.Array) -> jax.Array:
    """Dirichlet(1, ..., 1) over the True entries of bool[..., n], from uniforms u of that shape
    (normalised exponentials); 0 elsewhere."""
    g = jnp.maximum(-jnp.log1p(-u), 1e-12) * mask  # > 0, so no 0 / 0 where u = 0
    return g / g.sum(-1, keepdims=True)


@partial(jax.jit, static_argnums=0)
def sample_compiled(env, key: jax.Array):
    """env.sample_params(key), compiled once per environment instance (`default_params` uses it)."""
    return env.sample_params(key)


@dataclass(frozen=True, eq=False)
class RandomMDP(environment.Environment):
    """Random tabular MDP family; see the module docstring for the generative process."""

    min_states: int = 4
    max_states: int = 16
    min_actions: int = 2
    max_actions: int = 5
    max_branches: int = 3
    horizon: int = 20
    reward_density: float = 0.2
    negative_prob: float = 0.5
    reward_scale: float = 1.0

    def __post_init__(self):
        check_range("min_states", self.min_states, "max_states", self.max_states, 1)
        check_range("min_actions", self.min_actions, "max_actions", self.max_actions, 2)
        for field in ("max_branches", "horizon"):
            if getattr(self, field) < 1:
                raise ValueError(f"{field} must be >= 1, got {getattr(self, field)}")
        for field in ("reward_density", "negative_prob"):
            if not 0.0 <= getattr(self, field) <= 1.0:
                raise ValueError(f"{field} must be in [0, 1], got {getattr(self, field)}")
        if not self.reward_scale > 0:
            raise ValueError(f"reward_scale must be > 0, got {self.reward_scale}")

    @property
    def default_params(self) -> MDPParams:
        return sample_compiled(self, jax.random.key(0))

    def sample_params(self, key: jax.Array) -> MDPParams:
        S, B, K = self.max_states, self.max_actions, self.max_branches
        # few random draws, sliced (each jax.random call adds to the compile time)
        k_sa, k_misc, k_start = jax.random.split(key, 3)
        u_sa = flat_uniform(k_sa, (S, B, 2 * K + 3))  # per (state, action)
        u = jax.random.uniform(k_misc, (7,))
        n_s = self.min_states + uniform_int(u[0], self.max_states - self.min_states + 1)
        n_a = self.min_actions + uniform_int(u[1], self.max_actions - self.min_actions + 1)
        valid_s = jnp.arange(S) < n_s
        alias = jnp.arange(B) % n_a  # the valid action each action behaves as

        # transitions: k branches per (s, a), each to a uniform state, Dirichlet probabilities
        k = 1 + uniform_int(u_sa[..., 0], K)
        branch_to = uniform_int(u_sa[..., 1 : K + 1], n_s)  # [S, B, K]
        branch_p = dirichlet(u_sa[..., K + 1 : 2 * K + 1], jnp.arange(K) < k[..., None])
        trans = (branch_p[..., None] * jax.nn.one_hot(branch_to, S)).sum(-2)  # [S, B, S]
        stay = jax.nn.one_hot(jnp.arange(S), S)[:, None, :]  # unreachable states: self-loops
        trans = jnp.where(valid_s[:, None, None], trans, stay)

        # rewards: sparse positives, maybe one negative pair, one pair that surely pays
        pays = u_sa[..., -2] < self.reward_density
        reward = jnp.where(pays, 0.5 + 0.5 * u_sa[..., -1], 0.0)
        neg_s, pos_s = uniform_int(u[2:4], n_s)
        neg_a, pos_a = uniform_int(u[4:6], n_a)
        has_neg = u[6] < self.negative_prob
        reward = reward.at[neg_s, neg_a].set(jnp.where(has_neg, -1.0, reward[neg_s, neg_a]))
        reward = reward.at[pos_s, pos_a].set(1.0) * self.reward_scale
        reward = jnp.where(valid_s[:, None], reward, 0.0)

        start = dirichlet(jax.random.uniform(k_start, (S,)), valid_s)
        return MDPParams(
            transition=trans[:, alias].astype(jnp.float32),
            reward=reward[:, alias].astype(jnp.float32),
            start=start.astype(jnp.float32),
            num_states=n_s.astype(jnp.int32),
            num_actions=n_a.astype(jnp.int32),
            max_steps_in_episode=self.horizon,
        )

    def step_env(self, key, state, action, params):
        s = state.state
        reward = params.reward[s, action]
        p = params.transition[s, action]
        nxt = jax.random.categorical(key, jnp.where(p > 0, jnp.log(p), -jnp.inf))
        state = MDPState(state=nxt.astype(jnp.int32), time=state.time + 1)
        return self.get_obs(state), state, reward, jnp.array(False), {}

    def reset_env(self, key, params):
        p = params.start
        s = jax.random.categorical(key, jnp.where(p > 0, jnp.log(p), -jnp.inf))
        state = MDPState(state=s.astype(jnp.int32), time=0)
        return self.get_obs(state), state

    def get_obs(self, state, params=None, key=None):
        return jax.nn.one_hot(state.state, self.max_states, dtype=jnp.float32)

    def is_terminated(self, state, params):
        return jnp.array(False)

    def is_truncated(self, state, params):
        return state.time >= params.max_steps_in_episode

    def expected_returns(self, params: MDPParams) -> tuple[jax.Array, jax.Array]:
        """Expected return per episode (float32 scalars) of the optimal policy, which knows the
        MDP, and of the uniformly random policy over the `max_actions` actions (aliases included),
        by finite-horizon dynamic programming from the start distribution: the scale against which
        a learner's episode returns can be normalised."""

        def backup(v, _):
            v_opt, v_rand = v
            q_opt = params.reward + params.transition @ v_opt  # [S, B]
            q_rand = params.reward + params.transition @ v_rand
            return (q_opt.max(-1), q_rand.mean(-1)), None

        zeros = jnp.zeros((self.max_states,), jnp.float32)
        (v_opt, v_rand), _ = jax.lax.scan(backup, (zeros, zeros), None, self.horizon)
        return params.start @ v_opt, params.start @ v_rand

    @property
    def name(self) -> str:
        return (
            f"RandomMDP-s{self.min_states}-{self.max_states}-a{self.min_actions}-"
            f"{self.max_actions}-h{self.horizon}"
        )

    @property
    def num_actions(self) -> int:
        return self.max_actions

    def action_space(self, params=None):
        return spaces.Discrete(self.max_actions)

    def observation_space(self, params=None):
        return spaces.Box(0.0, 1.0, (self.max_states,), jnp.float32)
