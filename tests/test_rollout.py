"""Lifetimes: shapes, the first step's "no previous action", regret, and memory across steps."""

import jax
import jax.numpy as jnp
import numpy as np

from symla_lite import agents, envs, rollout
from symla_lite.agents import baselines


def test_lifetime_shapes_and_regret():
    env = envs.make("bandit", dist="uniform_dependent")
    agent = agents.make("symla", hidden=4)
    params = agent.init(jax.random.key(0))
    lt = rollout.run_lifetimes(agent, params, env, jax.random.key(1), 6, 15)
    assert lt.rewards.shape == lt.regret.shape == lt.actions.shape == (6, 15)
    assert lt.logits.shape == (6, 15, 2)
    assert set(np.unique(lt.rewards)) <= {0.0, 1.0}
    assert np.all(np.asarray(lt.regret) >= 0) and np.all(np.asarray(lt.regret) <= 1)


def test_thompson_beats_random_on_uniform_dependent():
    env = envs.make("bandit", dist="uniform_dependent")

    def regret(agent):
        lt = rollout.run_lifetimes(agent, {}, env, jax.random.key(0), 2000, 50)
        return float(lt.regret.sum(-1).mean())

    # Random: max(p1, 1 - p1) - 1/2 per step, E = E|p1 - 1/2| = 1/4; sd of the mean ~0.16.
    assert abs(regret(baselines.RandomPolicy()) - 50 / 4) < 0.8
    assert regret(baselines.Thompson()) < 0.5 * 50 / 4


def test_agent_sees_no_previous_action_first_then_its_own_actions():
    seen = []

    class Recorder(baselines.RandomPolicy):
        def step(self, params, state, obs, prev_action, prev_reward):
            seen.append(prev_action)
            return super().step(params, state, obs, prev_action, prev_reward)

    env = envs.make("bandit", dist="uniform_dependent")
    with jax.disable_jit():
        lt = rollout.run_lifetime(
            Recorder(), {}, env, env.sample_params(jax.random.key(0)), jax.random.key(1), 4
        )
    # Under disable_jit, scan runs the body once per step with concrete values.
    prev = [int(a) for a in seen]
    assert prev[0] == -1
    assert prev[1:] == [int(a) for a in np.asarray(lt.actions)[:-1]]


def test_fitness_is_mean_summed_reward():
    env = envs.make("bandit", dist="easy_dependent")
    agent = baselines.Thompson()
    f = rollout.fitness(agent, {}, env, jax.random.key(0), 8, 10)
    lt = rollout.run_lifetimes(agent, {}, env, jax.random.key(0), 8, 10)
    np.testing.assert_allclose(f, jnp.sum(lt.rewards, -1).mean(), rtol=1e-6)


def test_record_returns_the_agent_state_after_every_step():
    env = envs.make("bandit", dist="uniform_independent", num_arms=3)
    agent = agents.make("symla", hidden=4)
    params = agent.init(jax.random.key(0))
    task, key = env.sample_params(jax.random.key(1)), jax.random.key(2)
    plain = rollout.run_lifetime(agent, params, env, task, key, 7)
    lt = rollout.run_lifetime(agent, params, env, task, key, 7, lambda s: s.layers[-1].fwd)
    assert plain.record is None and lt.record.shape == (7, 3, agent.fwd_size)
    # SymLA's logits are its last layer's forward messages (first component) after the step
    np.testing.assert_array_equal(lt.record[:, :, 0], lt.logits)
    np.testing.assert_array_equal(lt.actions, plain.actions)
