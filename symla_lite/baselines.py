"""Fixed bandit algorithms with the agent interface, so they run through the same lifetime code.

Each `step` returns logits: a one-hot choice is given as 0 for the chosen arm and -1e9 elsewhere.
Their randomness lives in their state (drawn from the key given to `initial_state`).
"""

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import struct

NEG = -1e9


def choice_logits(arm: jax.Array, num_actions: int) -> jax.Array:
    return jnp.where(jnp.arange(num_actions) == arm, 0.0, NEG).astype(jnp.float32)


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
class _CountAgent:
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
        return choice_logits(jnp.argmax(theta), theta.shape[0]), state.replace(key=key)


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
        return choice_logits(jnp.argmax(score), score.shape[0]), state


BASELINES = ("random", "ucb1", "thompson", "bayes_optimal")


def make(name: str, **config):
    """A fixed bandit algorithm by name: make("thompson") or
    make("bayes_optimal", prior="uniform_dependent", horizon=100) (symla_lite.bayes_optimal)."""
    if name == "bayes_optimal":
        from symla_lite.bayes_optimal import BayesOptimal  # it builds on this module

        return BayesOptimal(**config)
    classes = {"random": RandomPolicy, "ucb1": UCB1, "thompson": Thompson}
    if name not in classes:
        raise ValueError(f"unknown baseline {name!r}; choose one of {BASELINES}")
    if config:
        raise ValueError(f"baseline {name!r} takes no options, got {sorted(config)}")
    return classes[name]()
