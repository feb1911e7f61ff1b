"""Fixed bandit baselines and the biased bandit distributions."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla_lite import envs, evaluation
from symla_lite.agents import baselines
from symla_lite.envs.bandit import BIAS

OBS = jnp.ones((1,), jnp.float32)


def run(agent, dist="uniform_dependent", n=2000, length=30, num_arms=2):
    env = envs.make("bandit", dist=dist, num_arms=num_arms)
    test = evaluation.test_set(env, jax.random.key(10), n)
    return evaluation.regret(agent, {}, test, length)


def test_ucb1_pulls_every_arm_once_first():
    agent = baselines.UCB1()
    state = agent.initial_state(jax.random.key(0), 1, 4)
    pulled, a, r = [], -1, 0.0
    for _ in range(4):
        logits, state = agent.step({}, state, OBS, a, r)
        a = int(jnp.argmax(logits))
        pulled.append(a)
        r = 1.0
    assert sorted(pulled) == [0, 1, 2, 3]


def test_ucb1_score_is_the_formula():
    agent = baselines.UCB1()
    state = baselines.CountState(
        pulls=jnp.array([10.0, 2.0]), wins=jnp.array([9.0, 1.0]), key=jax.random.key(0)
    )
    t = 12.0
    scores = np.array([0.9, 0.5]) + np.sqrt(2 * np.log(t) / np.array([10.0, 2.0]))
    logits, _ = agent.step({}, state, OBS, -1, 0.0)
    assert int(jnp.argmax(logits)) == int(np.argmax(scores))


def test_thompson_follows_strong_evidence():
    agent = baselines.Thompson()
    state = baselines.CountState(
        pulls=jnp.array([200.0, 200.0]), wins=jnp.array([20.0, 180.0]), key=jax.random.key(0)
    )
    logits, _ = agent.step({}, state, OBS, -1, 0.0)
    assert int(jnp.argmax(logits)) == 1


def test_random_policy_regret_is_closed_form():
    # uniform over 3 independent uniform arms: per step E[max] - E[mean] = 3/4 - 1/2
    s = run(baselines.RandomPolicy(), "uniform_independent", num_arms=3, length=10)
    assert abs(s.mean - 10 * 0.25) < 4 * s.sem


def test_learning_baselines_beat_random():
    rand = run(baselines.RandomPolicy())
    for agent in (baselines.UCB1(), baselines.Thompson()):
        s = run(agent)
        assert s.mean < 0.6 * rand.mean


def test_baselines_need_two_arms():
    for agent in (baselines.RandomPolicy(), baselines.UCB1(), baselines.Thompson()):
        with pytest.raises(ValueError, match="at least two arms"):
            agent.initial_state(jax.random.key(0), 1, 1)


@pytest.mark.parametrize("dist, first", [("biased", BIAS), ("biased_reversed", 1 - BIAS)])
def test_biased_distributions(dist, first):
    env = envs.make("bandit", dist=dist)
    p = np.asarray(jax.vmap(env.sample_params)(jax.random.split(jax.random.key(0), 20_000)).probs)
    assert p.shape == (20_000, 2) and p.min() >= 0 and p.max() <= 1
    assert abs((p[:, 0] > p[:, 1]).mean() - first) < 0.01
    # the pair is still two independent uniforms, only ordered: E[max] = 2/3, E[min] = 1/3
    np.testing.assert_allclose(p.max(1).mean(), 2 / 3, atol=0.01)
    np.testing.assert_allclose(p.min(1).mean(), 1 / 3, atol=0.01)
    with pytest.raises(ValueError, match="two arms only"):
        envs.make("bandit", dist=dist, num_arms=3)
