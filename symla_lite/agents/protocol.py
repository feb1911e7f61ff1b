"""The agent interface every learner and baseline implements (SPEC section 1), written down once.

    agent = agents.make("symla", hidden=16)            # or "metarnn", "random", "ucb1", ...
    agent = agent.for_task(num_obs, num_actions)      # sized for a task (MetaRNN needs it)
    params = agent.init(key)                          # pytree of meta-parameters
    state = agent.initial_state(key, num_obs, num_actions)
    logits, state = agent.step(params, state, obs, prev_action, prev_reward)

obs: float32[A]; prev_action: int32 scalar, -1 at t = 0 ("none"); prev_reward: float32 scalar, 0 at
t = 0; logits: float32[B]. Everything is a pure function of its arguments (jit- and vmap-able).
Fixed algorithms express a deterministic choice as logits: 0 on the chosen arms, NEG elsewhere.
"""

from typing import Any, Protocol, runtime_checkable

import jax
import jax.numpy as jnp

NEG = -1e9  # the logit of an arm a fixed algorithm does not choose


@runtime_checkable
class Agent(Protocol):
    """What rollout, meta-training, evaluation and the symmetry checks rely on."""

    name: str

    def for_task(self, num_obs: int, num_actions: int) -> "Agent":
        """This agent made for tasks with num_obs inputs and num_actions actions.

        Agents that run on any size return themselves; MetaRNN, whose parameter shapes fix both,
        returns a copy built for them.
        """
        ...

    def init(self, key: jax.Array) -> Any:
        """The meta-parameters (an empty pytree for fixed algorithms)."""
        ...

    def initial_state(self, key: jax.Array, num_obs: int, num_actions: int) -> Any:
        """The per-lifetime memory at t = 0."""
        ...

    def step(self, params, state, obs, prev_action, prev_reward) -> tuple[jax.Array, Any]:
        """One environment step: logits float32[B] of the next action and the new state."""
        ...


class AnySize:
    """Mixin of agents that run on any number of inputs and actions: sizing changes nothing."""

    def for_task(self, num_obs: int, num_actions: int):
        return self


def choice_logits(chosen: jax.Array) -> jax.Array:
    """float32[B] logits of a choice mask bool[B]: 0 where chosen, NEG elsewhere (ties uniform)."""
    return jnp.where(chosen, 0.0, NEG).astype(jnp.float32)
