"""Classic-control adapters: gymnax dynamics, fixed task, 0 reward on the terminating step."""

import jax
import numpy as np
import pytest

from symla_lite import envs, rollout
from symla_lite.agents import RandomPolicy


@pytest.mark.parametrize(
    "env_id,obs,actions", [("CartPole-v1", 4, 2), ("Acrobot-v1", 6, 3), ("MountainCar-v0", 2, 3)]
)
def test_shapes_and_fixed_task(env_id, obs, actions):
    env = envs.make(env_id)
    p = env.sample_params(jax.random.key(3))
    q = env.sample_params(jax.random.key(4))
    assert jax.tree.all(jax.tree.map(lambda a, b: bool(np.all(a == b)), p, q))
    assert rollout.obs_size(env, p) == obs and env.num_actions == actions


def test_cartpole_lifetime_return_counts_falls():
    env = envs.make("CartPole-v1")
    lt = rollout.run_lifetimes(RandomPolicy(), {}, env, jax.random.key(0), 8, 200)
    r, d = np.asarray(lt.rewards), np.asarray(lt.dones)
    assert d.sum() > 8  # a random policy falls every ~20 steps
    np.testing.assert_array_equal(r, np.where(d, 0.0, 1.0))
    np.testing.assert_array_equal(r.sum(1), 200 - d.sum(1))


def test_mountaincar_pays_minus_one_until_the_time_limit():
    env = envs.make("MountainCar-v0")
    lt = rollout.run_lifetimes(RandomPolicy(), {}, env, jax.random.key(0), 2, 450)
    np.testing.assert_array_equal(lt.rewards, -1.0)  # a random policy never reaches the goal
    assert np.asarray(lt.dones).sum(1).tolist() == [2, 2]  # truncated at 200 steps


def test_classic_takes_only_the_reward_option():
    with pytest.raises(ValueError, match="only reward="):
        envs.make("CartPole-v1", size=3)
    with pytest.raises(ValueError, match="reward must be one of"):
        envs.make("CartPole-v1", reward="shaped")


def test_sparse_cartpole_pays_minus_one_per_fall_on_the_same_trajectory():
    dense, sparse = (
        rollout.run_lifetimes(RandomPolicy(), {}, envs.make("CartPole-v1", reward=r), key, 8, 200)
        for r, key in (("dense", jax.random.key(0)), ("sparse", jax.random.key(0)))
    )
    d = np.asarray(dense.dones)
    np.testing.assert_array_equal(np.asarray(sparse.dones), d)  # the dynamics are unchanged
    np.testing.assert_array_equal(sparse.rewards, np.where(d, -1.0, 0.0))
    # the lifetime returns are affine in each other: ES ranks members alike
    np.testing.assert_array_equal(np.asarray(sparse.rewards).sum(1), dense.rewards.sum(1) - 200)
