"""Bandit distributions (statistics of many draws) and the action-permutation wrapper."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla_lite import envs

N = 20_000


def draws(dist, num_arms=2):
    env = envs.make("bandit", dist=dist, num_arms=num_arms)
    keys = jax.random.split(jax.random.key(0), N)
    return np.asarray(jax.vmap(env.sample_params)(keys).probs)


def test_uniform_independent_any_number_of_arms():
    p = draws("uniform_independent", num_arms=5)
    assert p.shape == (N, 5)
    assert p.min() >= 0 and p.max() <= 1
    np.testing.assert_allclose(p.mean(0), 0.5, atol=0.01)
    np.testing.assert_allclose(p.var(0), 1 / 12, atol=0.004)
    corr = np.corrcoef(p.T)[np.triu_indices(5, 1)]
    assert np.abs(corr).max() < 0.03


def test_uniform_dependent():
    p = draws("uniform_dependent")
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-6)
    np.testing.assert_allclose(p[:, 0].mean(), 0.5, atol=0.01)
    np.testing.assert_allclose(p[:, 0].var(), 1 / 12, atol=0.004)


@pytest.mark.parametrize(
    "dist, lo", [("easy_dependent", 0.1), ("medium_dependent", 0.25), ("hard_dependent", 0.4)]
)
def test_two_point_dependent(dist, lo):
    p = draws(dist)
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-6)
    values = np.unique(np.round(p[:, 0], 6))
    np.testing.assert_allclose(values, [lo, 1 - lo], atol=1e-6)
    assert abs(np.isclose(p[:, 0], lo).mean() - 0.5) < 0.015


def test_rewards_are_bernoulli_with_the_arm_probability_and_regret_is_exact():
    env = envs.make("bandit", dist="uniform_independent", num_arms=3)
    params = env.default_params.replace(probs=jnp.array([0.2, 0.7, 0.5]))
    _, state = env.reset(jax.random.key(0), params)

    def pull(key, arm):
        obs, _, r, term, trunc, info = env.step(key, state, arm, params)
        return obs, r, term | trunc, info["regret"]

    for arm, p in enumerate([0.2, 0.7, 0.5]):
        obs, r, done, regret = jax.vmap(pull, in_axes=(0, None))(
            jax.random.split(jax.random.key(arm), N), arm
        )
        assert abs(float(r.mean()) - p) < 0.015
        np.testing.assert_allclose(regret, 0.7 - p, atol=1e-6)
        assert not bool(done.any())
        np.testing.assert_array_equal(obs, 1.0)


def test_action_permutation_maps_actions():
    env = envs.make("bandit", dist="uniform_independent", num_arms=4, permute_actions=True)
    params = env.sample_params(jax.random.key(1))
    assert sorted(np.asarray(params.perm).tolist()) == [0, 1, 2, 3]
    params = params.replace(
        perm=jnp.array([2, 0, 3, 1]),
        inner=params.inner.replace(probs=jnp.array([0.0, 0.1, 1.0, 0.3])),
    )
    _, state = env.reset(jax.random.key(0), params)
    _, _, r, _, _, info = env.step(jax.random.key(2), state, 0, params)  # agent's 0 is arm 2
    assert float(r) == 1.0 and float(info["regret"]) == 0.0


def test_bad_bandit_configs():
    with pytest.raises(ValueError, match="unknown bandit distribution"):
        envs.make("bandit", dist="gaussian")
    with pytest.raises(ValueError, match="two arms only"):
        envs.make("bandit", dist="easy_dependent", num_arms=3)
    with pytest.raises(ValueError, match="at least two arms"):
        envs.make("bandit", dist="uniform_independent", num_arms=1)
    with pytest.raises(ValueError, match="unknown environment"):
        envs.make("casino")
