"""Any discrete-action gymnax environment as a lifetime task with flat float observations.

The generalisation atlas meta-tests one learner on every discrete-action environment gymnax 1.0.1
registers. `Flat` adapts one of them: observations of any shape are flattened to float32 vectors
(MinAtar's boolean-valued frames, bsuite's grids, the int32 coordinates of FourRooms); an
observation space that is `Discrete` (FrozenLake's tile index) is one-hot encoded instead, so that
a later projection sees n directions rather than one scalar; rewards of any dtype (UmbrellaChain and
BernoulliBandit pay int32) become float32. The task of every lifetime is gymnax's default params
(`sample_params`); per-lifetime randomness comes from the wrappers (the projection) and the
environments' own resets. Rewards, terminations and time limits are gymnax's, unchanged: an episode
ends when gymnax says terminated or truncated, and lifetimes concatenate them (`symla_lite.rollout`).

The classic-control three are not built here: they keep `envs.classic.Classic` (its dense reward
convention), so that the atlas's CartPole, Acrobot and MountainCar rows match the
unseen-environments experiment. `ATLAS` lists the environments the atlas runs, `SKIPPED` every other
registered one with the reason; together they are exactly `gymnax.registered_envs` (tested).
"""

from dataclasses import dataclass

import gymnax
import jax
import jax.numpy as jnp
import numpy as np
from gymnax.environments import spaces

from symla_lite.envs.classic import CLASSIC
from symla_lite.envs.wrappers import Wrapper

MINATAR = ("Asterix-MinAtar", "Breakout-MinAtar", "Freeway-MinAtar", "Seaquest-MinAtar",
           "SpaceInvaders-MinAtar")  # fmt: skip
BSUITE = ("Catch-bsuite", "DeepSea-bsuite", "MemoryChain-bsuite", "UmbrellaChain-bsuite",
          "DiscountingChain-bsuite", "SimpleBandit-bsuite")  # fmt: skip
MISC = ("FourRooms-misc", "MetaMaze-misc", "BernoulliBandit-misc", "GaussianBandit-misc",
        "Pong-misc", "FrozenLake-misc")  # fmt: skip
FLAT = MINATAR + BSUITE + MISC  # built by `flat`
ATLAS = CLASSIC + FLAT  # every environment the atlas meta-tests, in its order

CONTINUOUS = "continuous actions (a Box action space): SymLA, MetaRNN and REINFORCE sample discrete"
SKIPPED = {
    "Pendulum-v1": CONTINUOUS,
    "MountainCarContinuous-v0": CONTINUOUS,
    "PointRobot-misc": CONTINUOUS,
    "Reacher-misc": CONTINUOUS,
    "Swimmer-misc": CONTINUOUS,
    "MNISTBandit-bsuite": (
        "building it downloads MNIST (gymnax.utils.load_mnist fetches it from the internet); "
        "this project runs offline"
    ),
}


def _obs_layout(space) -> tuple[int, int | None]:
    """(flat size, number of classes to one-hot or None) of a gymnax observation space."""
    if isinstance(space, spaces.Discrete):
        return int(space.n), int(space.n)
    return int(np.prod(space.shape, dtype=np.int64)), None


@dataclass(frozen=True, eq=False)
class Flat(Wrapper):
    """A gymnax environment with flat float32 observations, float32 rewards and its default params
    as every lifetime's task (see the module docstring)."""

    env_id: str = ""

    def _flat(self, obs):
        size, classes = _obs_layout(self.env.observation_space(self.env.default_params))
        if classes is not None:
            return jax.nn.one_hot(jnp.reshape(obs, ()), classes, dtype=jnp.float32)
        return jnp.reshape(jnp.asarray(obs), (size,)).astype(jnp.float32)

    def sample_params(self, key):
        return self.env.default_params

    def step_env(self, key, state, action, params):
        obs, state, reward, terminated, info = self.env.step_env(key, state, action, params)
        reward = jnp.asarray(reward, jnp.float32)
        return self._flat(obs), state, reward, jnp.asarray(terminated, bool), info

    def reset_env(self, key, params):
        obs, state = self.env.reset_env(key, params)
        return self._flat(obs), state

    @property
    def name(self) -> str:
        return self.env_id

    @property
    def num_actions(self) -> int:
        return int(self.env.action_space(self.env.default_params).n)

    def observation_space(self, params=None):
        size, _ = _obs_layout(self.env.observation_space(self.env.default_params))
        return spaces.Box(-jnp.inf, jnp.inf, (size,), jnp.float32)


def flat(env_id: str) -> Flat:
    """Flat(gymnax.make(env_id)) for an environment of FLAT; a clear error for any other."""
    if env_id not in FLAT:
        why = f" (skipped: {SKIPPED[env_id]})" if env_id in SKIPPED else ""
        raise ValueError(f"no flat adapter for {env_id!r}{why}; choose one of {FLAT}")
    env, _ = gymnax.make(env_id)
    return Flat(env, env_id)
