"""REINFORCE baseline: exact first update, learning on a bandit, clear errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla_lite import envs, rollout
from symla_lite.agents import Reinforce


def test_first_step_is_uniform_and_first_update_is_the_policy_gradient():
    agent = Reinforce(lr=0.5, trace_decay=0.5, baseline_rate=0.25)
    state = agent.initial_state(jax.random.key(0), 3, 4)
    obs0 = jnp.array([1.0, -2.0, 0.5])
    logits, state = agent.step({}, state, obs0, jnp.int32(-1), jnp.float32(0.0))
    np.testing.assert_allclose(logits, 0.0)
    obs1 = jnp.array([0.0, 1.0, 0.0])
    logits, state = agent.step({}, state, obs1, jnp.int32(2), jnp.float32(2.0))
    # grad log softmax at the uniform policy: (onehot(a) - 1/B) outer o, advantage r - 0 = 2
    g = np.eye(4)[2] - 0.25
    np.testing.assert_allclose(state.policy.c, 0.5 * 2.0 * g, rtol=1e-6)
    np.testing.assert_allclose(state.policy.w, 0.5 * 2.0 * np.outer(g, obs0), rtol=1e-6)
    np.testing.assert_allclose(state.baseline, 0.25 * 2.0)
    np.testing.assert_allclose(logits, state.policy.w @ obs1 + state.policy.c, rtol=1e-6)


def test_learns_the_better_arm_within_a_lifetime():
    env = envs.make("bandit", dist="easy_dependent")
    agent = Reinforce(lr=0.2)
    lt = rollout.run_lifetimes(agent, {}, env, jax.random.key(1), 64, 300)
    r = np.asarray(lt.rewards)
    assert r[:, -100:].mean() > r[:, :50].mean() + 0.2
    assert r[:, -100:].mean() > 0.75


def test_rejects_bad_sizes_and_hyperparameters():
    agent = Reinforce()
    state = agent.initial_state(jax.random.key(0), 3, 2)
    with pytest.raises(ValueError, match="3 observations"):
        agent.step({}, state, jnp.zeros(4), jnp.int32(-1), jnp.float32(0.0))
    with pytest.raises(ValueError, match="num_actions >= 2"):
        agent.initial_state(jax.random.key(0), 3, 1)
    with pytest.raises(ValueError, match="lr"):
        Reinforce(lr=0.0)
