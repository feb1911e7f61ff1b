"""Wrappers that draw a per-lifetime transformation of an environment.

Each wrapper's params hold the inner environment's params and the transformation, so that
`sample_params(key)` draws both once per lifetime and they stay fixed while episodes repeat.
"""

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import struct
from gymnax.environments import environment


@dataclass(frozen=True, eq=False)
class Wrapper(environment.Environment):
    """Forwards everything to `env`; subclasses override what they change."""

    env: environment.Environment

    @property
    def default_params(self):
        return self.env.default_params

    def sample_params(self, key):
        return self.env.sample_params(key)

    def step_env(self, key, state, action, params):
        return self.env.step_env(key, state, action, params)

    def reset_env(self, key, params):
        return self.env.reset_env(key, params)

    def is_terminated(self, state, params):
        return self.env.is_terminated(state, params)

    def is_truncated(self, state, params):
        return self.env.is_truncated(state, params)

    @property
    def name(self) -> str:
        return f"{type(self).__name__}({self.env.name})"

    @property
    def num_actions(self) -> int:
        return self.env.num_actions

    def action_space(self, params=None):
        return self.env.action_space(params)

    def observation_space(self, params=None):
        return self.env.observation_space(params)


@struct.dataclass
class PermutedParams:
    inner: object
    perm: jax.Array  # int32[n]

    @property
    def max_steps_in_episode(self):
        return self.inner.max_steps_in_episode


@dataclass(frozen=True, eq=False)
class ActionPermutation(Wrapper):
    """The agent's action i is the inner environment's action perm[i], perm drawn per lifetime."""

    @property
    def default_params(self):
        return PermutedParams(
            inner=self.env.default_params, perm=jnp.arange(self.env.num_actions, dtype=jnp.int32)
        )

    def sample_params(self, key):
        k_env, k_perm = jax.random.split(key)
        perm = jax.random.permutation(k_perm, self.env.num_actions).astype(jnp.int32)
        return PermutedParams(inner=self.env.sample_params(k_env), perm=perm)

    def step_env(self, key, state, action, params):
        return self.env.step_env(key, state, params.perm[action], params.inner)

    def reset_env(self, key, params):
        return self.env.reset_env(key, params.inner)

    def is_terminated(self, state, params):
        return self.env.is_terminated(state, params.inner)

    def is_truncated(self, state, params):
        return self.env.is_truncated(state, params.inner)

    def observation_space(self, params=None):
        return self.env.observation_space(None if params is None else params.inner)
