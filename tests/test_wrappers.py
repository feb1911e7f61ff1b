"""Per-lifetime wrappers: observation permutation, Glorot-normal projection, action permutation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla_lite import envs


def test_observation_permutation_really_permutes():
    plain = envs.make("CartPole-v1")
    env = envs.make("CartPole-v1", permute_obs=True)
    perms = [np.asarray(env.sample_params(jax.random.key(i)).perm) for i in range(20)]
    assert all(sorted(p) == [0, 1, 2, 3] for p in perms)
    assert len({tuple(p) for p in perms}) > 5
    p = env.sample_params(jax.random.key(0))
    o_plain, s_plain = plain.reset(jax.random.key(1), p.inner)
    o, s = env.reset(jax.random.key(1), p)
    np.testing.assert_array_equal(o, np.asarray(o_plain)[p.perm])
    o_plain, *_ = plain.step(jax.random.key(2), s_plain, 1, p.inner)
    o, *_ = env.step(jax.random.key(2), s, 1, p)
    np.testing.assert_array_equal(o, np.asarray(o_plain)[p.perm])


def test_projection_shape_statistics_and_per_lifetime_draw():
    env = envs.make("Acrobot-v1", project_obs=16)
    ms = jax.vmap(env.sample_params)(jax.random.split(jax.random.key(0), 400)).matrix
    assert ms.shape == (400, 16, 6)
    # Glorot: variance 2 / (fan_in + fan_out) = 2 / 22 (truncated normal, rescaled to it)
    np.testing.assert_allclose(float(ms.var()), 2 / 22, rtol=0.05)
    assert abs(float(ms.mean())) < 0.01
    assert not np.allclose(ms[0], ms[1])
    p = env.sample_params(jax.random.key(5))
    o, _ = env.reset(jax.random.key(1), p)
    o_inner, _ = env.env.reset(jax.random.key(1), p.inner)
    assert o.shape == (16,)
    np.testing.assert_allclose(o, p.matrix @ o_inner, rtol=1e-5, atol=1e-6)


def test_action_permutation_moves_the_right_action():
    env = envs.make("gridworld", size=3, permute_actions=True)
    p = env.sample_params(jax.random.key(0))
    inner = p.inner.replace(start=jnp.array([1, 1]))
    p = p.replace(inner=inner)
    _, s = env.reset(jax.random.key(0), p)
    for a in range(4):
        _, s2, *_ = env.step(jax.random.key(0), s, a, p)
        _, s3, *_ = env.env.step(jax.random.key(0), s, p.perm[a], inner)
        np.testing.assert_array_equal(s2.pos, s3.pos)


def test_all_wrappers_compose_on_the_gridworld():
    env = envs.make("gridworld", permute_obs=True, project_obs=16, permute_actions=True)
    p = env.sample_params(jax.random.key(0))
    o, s = env.reset(jax.random.key(0), p)
    o, *_ = env.step(jax.random.key(1), s, 0, p)
    assert o.shape == (16,) and env.num_actions == 4


def test_projection_rejects_bad_dim():
    with pytest.raises(ValueError, match="projection dim"):
        envs.make("CartPole-v1", project_obs=0)


def _draws(env, n):
    """The distinct lifetimes' params over n keys: a set of their flattened leaves' bytes."""
    params = jax.vmap(env.sample_params)(jax.random.split(jax.random.key(7), n))
    flat = np.concatenate([np.asarray(x).reshape(n, -1) for x in jax.tree.leaves(params)], 1)
    return {row.tobytes() for row in flat.astype(np.float64)}


def test_a_task_pool_draws_from_exactly_its_tasks():
    from symla_lite.envs.wrappers import TaskPool

    inner = envs.make("gridworld", size=4, project_obs=16, permute_actions=True)
    assert len(_draws(inner, 64)) == 64  # fresh: task, projection and permutation every lifetime
    assert len(_draws(TaskPool(inner, size=1), 64)) == 1
    assert len(_draws(TaskPool(inner, size=4), 256)) == 4
    assert _draws(TaskPool(inner, size=4, seed=1), 256) != _draws(TaskPool(inner, size=4), 256)
    with pytest.raises(ValueError, match="size >= 1"):
        TaskPool(inner, size=0)


def test_a_mixture_with_a_pool_pools_every_family():
    mix = envs.make("mixture", families={"gridworld": 1, "bandit": 1}, pool=3)
    assert "pool 3" in mix.name and all(type(e).__name__ == "TaskPool" for e in mix.envs)
    assert [len(_draws(e, 128)) for e in mix.envs] == [3, 3]
    assert envs.make("mixture", families={"gridworld": 1}).name.endswith("obs->16)")
