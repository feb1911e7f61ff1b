"""Classic control from gymnax (CartPole-v1, Acrobot-v1, MountainCar-v0) with `sample_params`.

These environments have one fixed task, so `sample_params(key)` returns gymnax's default params for
every lifetime; the per-lifetime randomness comes from wrappers (permutations, projections).

Lifetimes concatenate episodes, and CartPole's +1 per step (MountainCar's -1) then sums to the same
value for every agent: the lifetime return would carry no signal. So the adapter makes the step that
ends an episode by termination (not by the time limit) pay 0 (our choice, a reconstruction): a
lifetime's return is then L minus the number of falls on CartPole, and -(L minus the number of
goals reached) on MountainCar and Acrobot (gymnax's Acrobot already pays 0 there). An episode's
return changes by at most 1 from gymnax's.

`reward="sparse"` pays only on termination instead: -1 when CartPole falls, +1 when MountainCar or
Acrobot reaches its goal, 0 on every other step. A lifetime's return is then an affine function of
the dense one (minus the falls, or the goals), so meta-training's fitness ranks are the same; what
changes is the reward the agent sees as an input.
"""

from dataclasses import dataclass

import gymnax
import jax.numpy as jnp

from symla_lite.envs.wrappers import Wrapper

CLASSIC = ("CartPole-v1", "Acrobot-v1", "MountainCar-v0")
REWARDS = ("dense", "sparse")


@dataclass(frozen=True, eq=False)
class Classic(Wrapper):
    """A gymnax classic-control environment whose lifetime task is its default params.

    reward: "dense" (gymnax's per-step reward, 0 on the step that terminates) or "sparse" (see the
    module docstring)."""

    reward: str = "dense"

    def __post_init__(self):
        if self.reward not in REWARDS:
            raise ValueError(f"reward must be one of {REWARDS}, got {self.reward!r}")

    def sample_params(self, key):
        return self.env.default_params

    def step_env(self, key, state, action, params):
        obs, state, reward, terminated, info = self.env.step_env(key, state, action, params)
        reward = jnp.asarray(reward, jnp.float32)
        if self.reward == "sparse":  # -1 for CartPole's fall, +1 for reaching a goal
            reward = jnp.where(terminated, -1.0 if self.name == "CartPole-v1" else 1.0, 0.0)
        else:
            reward = jnp.where(terminated, 0.0, reward)
        return obs, state, reward, terminated, info

    @property
    def name(self) -> str:
        return self.env.name


def classic(env_id: str, reward: str = "dense") -> Classic:
    """Classic("CartPole-v1") etc., built with gymnax.make; reward: see `Classic`."""
    if env_id not in CLASSIC:
        raise ValueError(f"unknown classic-control environment {env_id!r}; choose one of {CLASSIC}")
    env, _ = gymnax.make(env_id)
    return Classic(env, reward)
