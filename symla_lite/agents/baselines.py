"""Fixed bandit algorithms (random, UCB1, Thompson) with the agent interface of `protocol`.

Each `step` returns logits: a choice is given as 0 for the chosen arm and NEG elsewhere. Their
randomness lives in their state (drawn from the key given to `initial_state`). The random policy
also serves as the RL baseline.
"""

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import struct

from symla_lite.agents.protocol import AnySize, choice_logits


def choose(arm: jax.Array, num_actions: int) -> jax.Array:
    """Logits float32[num_actions] that pick `arm`."""
    return choice_logits(jnp.arange(num_actions) == arm)


@struct.dataclass
class CountState:
    pulls: jax.Array  # float32[K]
    wins: jax.Array  # float32[K]
    key: jax.Array


def update_counts(state: CountState, prev_action, prev_reward) -> CountState:
    """Add the previous step's outcome (none at t = 0, where prev_action is -1)."""
    hit = jax.nn.one_hot(prev_action, state.pulls.shape[0], dtype=jnp.float32)
    return state.replace(pulls=state.pulls + hit, wins=state.wins + hit * prev_reward)


@dataclass(frozen=True)
class _CountAgent(AnySize):
    def init(self, key):
        return {}

    def initial_state(self, key, num_obs, num_actions):
        if num_actions < 2:
            raise ValueError(f"{self.name} needs at least two arms, got {num_actions}")
        zeros = jnp.zeros((int(num_actions),), jnp.float32)
        return CountState(pulls=zeros, wins=zeros, key=key)


@dataclass(frozen=True)
class RandomPolicy(_CountAgent):
    """Uniform over arms."""

    name: str = "random"

    def step(self, params, state, obs, prev_action, prev_reward):
        return jnp.zeros(state.pulls.shape, jnp.float32), state


@dataclass(frozen=True)
class Thompson(_CountAgent):
    """Thompson sampling with independent Beta(1, 1) priors on the arms."""

    name: str = "thompson"

    def step(self, params, state, obs, prev_action, prev_reward):
        state = update_counts(state, prev_action, prev_reward)
        key, k = jax.random.split(state.key)
        theta = jax.random.beta(k, 1.0 + state.wins, 1.0 + state.pulls - state.wins)
        return choose(jnp.argmax(theta), theta.shape[0]), state.replace(key=key)


@dataclass(frozen=True)
class UCB1(_CountAgent):
    """UCB1 (Auer et al. 2002): pull each arm once, then the highest mean + sqrt(2 ln t / n)."""

    name: str = "ucb1"

    def step(self, params, state, obs, prev_action, prev_reward):
        state = update_counts(state, prev_action, prev_reward)
        t = state.pulls.sum()
        n = jnp.maximum(state.pulls, 1.0)
        score = state.wins / n + jnp.sqrt(2.0 * jnp.log(jnp.maximum(t, 1.0)) / n)
        score = jnp.where(state.pulls == 0, jnp.inf, score)
        return choose(jnp.argmax(score), score.shape[0]), state
