"""K-armed Bernoulli bandits of Wang et al. (2016), on the gymnax Environment API.

The arm probabilities are the lifetime's task: `sample_params(key)` draws them from the named
distribution, and they stay fixed while the environment steps. One episode is the whole lifetime.
"""

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import struct
from gymnax.environments import environment, spaces

# p1 for the two-point dependent bandits: p1 ~ Cat{lo, 1 - lo}, p2 = 1 - p1.
TWO_POINT = {"easy_dependent": 0.1, "medium_dependent": 0.25, "hard_dependent": 0.4}
DEPENDENT = ("uniform_dependent", *TWO_POINT)
DISTRIBUTIONS = ("uniform_independent", *DEPENDENT)
# Asymmetric two-arm distributions for the unseen-action experiments: p1, p2 ~ U[0, 1] independent,
# then ordered so that arm 0 is the better arm with probability BIAS ("biased") or 1 - BIAS
# ("biased_reversed"). A learner that memorised "arm 0 pays" fails on the reversed one.
BIAS = 0.9
BIASED = ("biased", "biased_reversed")
TWO_ARMS_ONLY = (*DEPENDENT, *BIASED)
ALL_DISTRIBUTIONS = (*DISTRIBUTIONS, *BIASED)


@struct.dataclass
class BanditParams:
    probs: jax.Array  # float32[K], payout probability of each arm
    max_steps_in_episode: int = 2**30


@struct.dataclass
class BanditState:
    time: int


def sample_probs(key: jax.Array, dist: str, num_arms: int) -> jax.Array:
    """Draw the arm probabilities float32[num_arms] of one lifetime."""
    if dist == "uniform_independent":
        return jax.random.uniform(key, (num_arms,))
    if dist in BIASED:
        k_p, k_order = jax.random.split(key)
        p = jax.random.uniform(k_p, (2,))
        bias = BIAS if dist == "biased" else 1.0 - BIAS
        first_best = jax.random.bernoulli(k_order, bias)
        hi, lo = p.max(), p.min()
        return jnp.where(first_best, jnp.stack([hi, lo]), jnp.stack([lo, hi])).astype(jnp.float32)
    if dist == "uniform_dependent":
        p1 = jax.random.uniform(key)
    else:
        lo = TWO_POINT[dist]
        p1 = jnp.where(jax.random.bernoulli(key), 1.0 - lo, lo)
    return jnp.stack([p1, 1.0 - p1]).astype(jnp.float32)


@dataclass(frozen=True, eq=False)
class Bandit(environment.Environment):
    """Bernoulli bandit: observation is the constant 1.0; info carries the step's regret."""

    num_arms: int = 2
    dist: str = "uniform_dependent"

    def __post_init__(self):
        if self.dist not in ALL_DISTRIBUTIONS:
            raise ValueError(
                f"unknown bandit distribution {self.dist!r}; choose one of {ALL_DISTRIBUTIONS}"
            )
        if self.num_arms < 2:
            raise ValueError(f"a bandit needs at least two arms, got {self.num_arms}")
        if self.dist in TWO_ARMS_ONLY and self.num_arms != 2:
            raise ValueError(
                f"{self.dist!r} is defined for two arms only, got num_arms={self.num_arms}"
            )

    @property
    def default_params(self) -> BanditParams:
        return BanditParams(probs=jnp.full((self.num_arms,), 0.5, jnp.float32))

    def sample_params(self, key: jax.Array) -> BanditParams:
        return BanditParams(probs=sample_probs(key, self.dist, self.num_arms))

    def step_env(self, key, state, action, params):
        p = params.probs[action]
        reward = jax.random.bernoulli(key, p).astype(jnp.float32)
        info = {"regret": params.probs.max() - p}
        state = BanditState(time=state.time + 1)
        return self.get_obs(state), state, reward, jnp.array(False), info

    def reset_env(self, key, params):
        state = BanditState(time=0)
        return self.get_obs(state), state

    def get_obs(self, state, params=None, key=None):
        return jnp.ones((1,), jnp.float32)

    def is_terminated(self, state, params):
        return jnp.array(False)

    @property
    def name(self) -> str:
        return f"Bandit-{self.dist}-{self.num_arms}"

    @property
    def num_actions(self) -> int:
        return self.num_arms

    def action_space(self, params=None):
        return spaces.Discrete(self.num_arms)

    def observation_space(self, params=None):
        return spaces.Box(1.0, 1.0, (1,), jnp.float32)
