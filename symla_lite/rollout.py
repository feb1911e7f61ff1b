"""Agent lifetimes: L steps of one agent in one environment task, episodes concatenated.

When an episode ends the environment resets (gymnax auto-reset) and the agent's memory carries on.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
from flax import struct


@struct.dataclass
class Lifetime:
    rewards: jax.Array  # float32[L]
    actions: jax.Array  # int32[L]
    dones: jax.Array  # bool[L], an episode ended at this step
    regret: jax.Array  # float32[L], NaN where the environment defines none
    logits: jax.Array  # float32[L, B]
    record: object = None  # what `record(agent_state)` returned after each step, stacked: [L, ...]


def obs_size(env, env_params) -> int:
    return int(env.observation_space(env_params).shape[0])


def run_lifetime(
    agent, params, env, env_params, key: jax.Array, length: int, record: Callable | None = None
) -> Lifetime:
    """Roll `agent` for `length` steps in `env` with the task `env_params` (one lifetime).

    record: an optional function of the agent's state after each step (e.g. to look inside it);
    its results, stacked over steps, are returned as `Lifetime.record`.
    """
    k_agent, k_reset, k_steps = jax.random.split(key, 3)
    state = agent.initial_state(k_agent, obs_size(env, env_params), env.num_actions)
    obs, env_state = env.reset(k_reset, env_params)

    def step(carry, k):
        obs, env_state, agent_state, prev_action, prev_reward = carry
        k_act, k_env = jax.random.split(k)
        logits, agent_state = agent.step(params, agent_state, obs, prev_action, prev_reward)
        action = jax.random.categorical(k_act, logits).astype(jnp.int32)
        obs, env_state, reward, terminated, truncated, info = env.step(
            k_env, env_state, action, env_params
        )
        reward = jnp.asarray(reward, jnp.float32)
        regret = info.get("regret", jnp.nan)
        extra = None if record is None else record(agent_state)
        out = (reward, action, jnp.logical_or(terminated, truncated), regret, logits, extra)
        return (obs, env_state, agent_state, action, reward), out

    carry = (obs, env_state, state, jnp.int32(-1), jnp.float32(0.0))
    _, (rewards, actions, dones, regret, logits, extra) = jax.lax.scan(
        step, carry, jax.random.split(k_steps, length)
    )
    return Lifetime(
        rewards=rewards,
        actions=actions,
        dones=dones,
        regret=jnp.asarray(regret, jnp.float32),
        logits=logits,
        record=extra,
    )


def run_lifetimes(agent, params, env, key: jax.Array, num: int, length: int) -> Lifetime:
    """`num` independent lifetimes, each on a task drawn by `env.sample_params`: arrays [num, L]."""

    def one(k):
        k_task, k_life = jax.random.split(k)
        return run_lifetime(agent, params, env, env.sample_params(k_task), k_life, length)

    return jax.vmap(one)(jax.random.split(key, num))


def fitness(agent, params, env, key: jax.Array, num: int, length: int) -> jax.Array:
    """Mean over `num` lifetimes of the summed reward over a lifetime (SPEC section 2); for a
    training mixture (`envs.Mixture`), its normalised fitness over its families."""
    if hasattr(env, "fitness"):
        return env.fitness(agent, params, key, num, length)
    return run_lifetimes(agent, params, env, key, num, length).rewards.sum(-1).mean()
