"""Grid world (reconstruction): per-lifetime positions, moves, rewards, swapped rewards."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla_lite import envs
from symla_lite.envs.gridworld import GridParams


def fixed(swap=False):
    env = envs.make("gridworld", size=3, max_steps=5, swap=swap)
    p = env.default_params.replace(
        start=jnp.array([1, 1]), heart=jnp.array([0, 1]), trap=jnp.array([2, 1])
    )
    return env, p


def test_positions_are_distinct_and_vary_between_lifetimes():
    env = envs.make("gridworld", size=3)
    ps = jax.vmap(env.sample_params)(jax.random.split(jax.random.key(0), 200))
    cells = np.stack([np.asarray(x) @ [3, 1] for x in (ps.start, ps.heart, ps.trap)], 1)
    assert all(len(set(row)) == 3 for row in cells)
    assert len({tuple(r) for r in cells}) > 50
    assert isinstance(ps, GridParams)


@pytest.mark.parametrize("swap", [False, True])
def test_objects_pay_and_end_the_episode(swap):
    env, p = fixed(swap)
    obs, s = env.reset(jax.random.key(0), p)
    np.testing.assert_allclose(obs, [-0.5, 0.0, 0.5, 0.0])  # offsets to heart, trap / (size-1)
    _, _, r_up, term_up, _, info = env.step(jax.random.key(1), s, 0, p)  # up: heart
    _, _, r_down, term_down, _, _ = env.step(jax.random.key(1), s, 1, p)  # down: trap
    assert bool(term_up) and bool(term_down) and int(info["object"]) == 1
    assert (float(r_up), float(r_down)) == ((-1.0, 1.0) if swap else (1.0, -1.0))
    obs, s2, r, term, _, _ = env.step(jax.random.key(1), s, 3, p)  # right: empty
    assert float(r) == 0.0 and not bool(term)
    np.testing.assert_array_equal(s2.pos, [1, 2])


def test_walls_and_time_limit():
    env, p = fixed()
    p = p.replace(start=jnp.array([0, 0]))
    _, s = env.reset(jax.random.key(0), p)
    truncated = False
    for t in range(5):
        obs, s, r, term, truncated, _ = env.step(jax.random.key(t), s, 2, p)  # left into the wall
        assert float(r) == 0.0 and not bool(term)
    assert bool(truncated)
    np.testing.assert_array_equal(s.pos, [0, 0])  # auto-reset to the start


def test_rejects_bad_size():
    with pytest.raises(ValueError, match="grid size"):
        envs.make("gridworld", size=1)
    with pytest.raises(ValueError, match="unknown environment"):
        envs.make("grid")


def test_position_observation_is_the_agents_own_cell():
    env = envs.make("gridworld", size=3, max_steps=5, observe="position")
    p = fixed()[1]
    obs, s = env.reset(jax.random.key(0), p)
    np.testing.assert_allclose(obs, [0.5, 0.5])  # (row, column) / (size - 1)
    obs, *_ = env.step(jax.random.key(1), s, 3, p)  # right
    np.testing.assert_allclose(obs, [0.5, 1.0])
    assert env.observation_space(p).shape == (2,) and env.name == "GridWorld-3-position"
    with pytest.raises(ValueError, match="observe"):
        envs.make("gridworld", observe="pixels")


def test_side_drawn_per_lifetime_within_bounds():
    env = envs.make("gridworld", size=6, min_size=3)
    ps = jax.vmap(env.sample_params)(jax.random.split(jax.random.key(0), 400))
    side = np.asarray(ps.side)
    assert set(side.tolist()) == {3, 4, 5, 6}  # every side in the bounds is drawn
    for cell in (ps.start, ps.heart, ps.trap):
        assert (np.asarray(cell).max(-1) < side).all()  # every object inside its grid
    cells = np.stack([np.asarray(x) @ [6, 1] for x in (ps.start, ps.heart, ps.trap)], 1)
    assert all(len(set(row)) == 3 for row in cells)
    assert env.name == "GridWorld-3to6"
    with pytest.raises(ValueError, match="min_size"):
        envs.make("gridworld", size=4, min_size=5)


def test_walls_of_a_drawn_side_and_its_observation_scale():
    env = envs.make("gridworld", size=6, min_size=3, max_steps=5)
    p = env.default_params.replace(
        start=jnp.array([2, 1]), heart=jnp.array([0, 0]), trap=jnp.array([0, 2]), side=3
    )
    obs, s = env.reset(jax.random.key(0), p)
    np.testing.assert_allclose(obs, [-1.0, -0.5, -1.0, 0.5])  # offsets / (side - 1)
    _, s, *_ = env.step(jax.random.key(1), s, 1, p)  # down, into the wall of the 3 x 3 grid
    np.testing.assert_array_equal(s.pos, [2, 1])
    _, s, *_ = env.step(jax.random.key(1), s, 3, p)  # right
    _, s, *_ = env.step(jax.random.key(1), s, 3, p)  # right again: the wall at column 2
    np.testing.assert_array_equal(s.pos, [2, 2])


def test_a_fixed_side_draws_as_before():
    """min_size=None and min_size=size draw the same tasks (old parameters stay valid)."""
    keys = jax.random.split(jax.random.key(3), 16)
    a = jax.vmap(envs.make("gridworld", size=4).sample_params)(keys)
    b = jax.vmap(envs.make("gridworld", size=4, min_size=4).sample_params)(keys)
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True):
        np.testing.assert_array_equal(x, y)
    assert set(np.asarray(a.side).tolist()) == {4}
