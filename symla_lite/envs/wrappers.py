"""Wrappers that draw a per-lifetime transformation of an environment.

Each wrapper's params hold the inner environment's params and the transformation, so that
`sample_params(key)` draws both once per lifetime and they stay fixed while episodes repeat.
"""

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import struct
from gymnax.environments import environment, spaces


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


@dataclass(frozen=True, eq=False)
class _ObsWrapper(Wrapper):
    """Transforms every observation with `_transform(obs, params)`; params are PermutedParams-like
    (`inner` plus the transformation), drawn per lifetime by `_draw(key)`."""

    def _draw(self, key):
        raise NotImplementedError

    def _transform(self, obs, params):
        raise NotImplementedError

    def sample_params(self, key):
        k_env, k_draw = jax.random.split(key)
        return self._params(self.env.sample_params(k_env), self._draw(k_draw))

    def step_env(self, key, state, action, params):
        obs, state, reward, done, info = self.env.step_env(key, state, action, params.inner)
        return self._transform(obs, params), state, reward, done, info

    def reset_env(self, key, params):
        obs, state = self.env.reset_env(key, params.inner)
        return self._transform(obs, params), state

    def is_terminated(self, state, params):
        return self.env.is_terminated(state, params.inner)

    def is_truncated(self, state, params):
        return self.env.is_truncated(state, params.inner)

    def _inner_obs_size(self) -> int:
        return int(self.env.observation_space(self.env.default_params).shape[0])


@dataclass(frozen=True, eq=False)
class ObservationPermutation(_ObsWrapper):
    """The agent's observation component i is the inner observation's component perm[i]."""

    _params = staticmethod(lambda inner, perm: PermutedParams(inner=inner, perm=perm))

    @property
    def default_params(self):
        n = self._inner_obs_size()
        return PermutedParams(inner=self.env.default_params, perm=jnp.arange(n, dtype=jnp.int32))

    def _draw(self, key):
        return jax.random.permutation(key, self._inner_obs_size()).astype(jnp.int32)

    def _transform(self, obs, params):
        return jnp.asarray(obs, jnp.float32)[params.perm]

    def observation_space(self, params=None):
        return self.env.observation_space(None if params is None else params.inner)


@struct.dataclass
class ProjectedParams:
    inner: object
    matrix: jax.Array  # float32[dim, n_inner]

    @property
    def max_steps_in_episode(self):
        return self.inner.max_steps_in_episode


@dataclass(frozen=True, eq=False)
class ObservationProjection(_ObsWrapper):
    """Observations float32[n] mapped to float32[dim] by a matrix drawn per lifetime (Appendix C.3).

    The matrix is Glorot-normal (jax.nn.initializers.glorot_normal: truncated normal with variance
    2 / (n + dim)), so every environment, whatever its observation size, presents `dim` inputs.
    """

    dim: int = 16
    _params = staticmethod(lambda inner, m: ProjectedParams(inner=inner, matrix=m))

    def __post_init__(self):
        if self.dim < 1:
            raise ValueError(f"projection dim must be >= 1, got {self.dim}")

    @property
    def default_params(self):
        return ProjectedParams(inner=self.env.default_params, matrix=self._draw(jax.random.key(0)))

    def _draw(self, key):
        init = jax.nn.initializers.glorot_normal(in_axis=1, out_axis=0)
        return init(key, (self.dim, self._inner_obs_size()), jnp.float32)

    def _transform(self, obs, params):
        return params.matrix @ jnp.asarray(obs, jnp.float32)

    def observation_space(self, params=None):
        return spaces.Box(-jnp.inf, jnp.inf, (self.dim,), jnp.float32)


@dataclass(frozen=True, eq=False)
class TaskPool(Wrapper):
    """A fixed pool of `size` tasks: `sample_params(key)` picks one of `size` task keys (fixed by
    `seed`) and draws the inner environment's params from it, so a lifetime meets one of `size`
    distinct draws of everything the inner environment samples (its task and, for the other
    wrappers inside, its projection and permutation): GPICL's number of distinct meta-training
    tasks."""

    size: int = 1
    seed: int = 0

    def __post_init__(self):
        if int(self.size) < 1:
            raise ValueError(f"a task pool needs size >= 1, got {self.size}")

    def sample_params(self, key):
        i = jax.random.randint(key, (), 0, int(self.size))
        return self.env.sample_params(jax.random.fold_in(jax.random.key(int(self.seed)), i))
