"""Random unstable control systems: drawn tasks, falls and rewards, the base process, aliasing."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla_lite import agents, envs, rollout
from symla_lite.envs.random_control import BASE, ControlParams, ControlState

FAMILY = envs.make("random_control", max_dim=5, max_actions=4)  # dims 2..5, 1..2 unstable modes
BASE_ENV = envs.make("random_control", **BASE)
N = 256  # tasks per draw


@jax.jit
def draw_family(keys):
    return jax.vmap(FAMILY.sample_params)(keys)


@jax.jit
def draw_base(keys):
    return jax.vmap(BASE_ENV.sample_params)(keys)


def keys(seed=0, n=N):
    return jax.random.split(jax.random.key(seed), n)


def pick(ps, i):
    return jax.tree.map(lambda x: x[i], ps)


def stabilise(obs, p):
    """Push against the sign of q0 . x: the action whose push moves q0 . x most towards 0."""
    q0 = p.unstable[0]
    return jnp.argmin((q0 @ obs) * (p.push @ q0)).astype(jnp.int32)


@jax.jit
def falls_per_lifetime(ps, key):
    """Falls in 200 steps of the stabilising controller in each task of ps: int[num tasks]."""

    def one(p, k):
        obs, s = BASE_ENV.reset(k, p)

        def step(carry, k):
            obs, s = carry
            obs, s, _, term, _, _ = BASE_ENV.step(k, s, stabilise(obs, p), p)
            return (obs, s), term

        return jax.lax.scan(step, (obs, s), jax.random.split(k, 200))[1].sum()

    return jax.vmap(one)(ps, jax.random.split(key, ps.dim.shape[0]))


@jax.jit
def random_steps(ps, key):
    """One random lifetime of 64 steps per task: states before and after, rewards, flags."""

    def one(p, k):
        k_reset, k_steps = jax.random.split(k)
        _, s = FAMILY.reset(k_reset, p)

        def step(s, k):
            k_a, k_s = jax.random.split(k)
            a = jax.random.randint(k_a, (), 0, FAMILY.num_actions)
            obs, s2, r, term, trunc, info = FAMILY.step(k_s, s, a, p)
            return s2, (obs, info["final_observation"], r, term, trunc)

        return jax.lax.scan(step, s, jax.random.split(k_steps, 64))[1]

    return jax.vmap(one)(ps, jax.random.split(key, ps.dim.shape[0]))


def test_shapes_dtypes_and_unused_coordinates_for_every_drawn_task():
    ps = draw_family(keys())
    obs, final, r, term, trunc = random_steps(ps, jax.random.key(1))
    assert obs.shape == final.shape == (N, 64, 5) and obs.dtype == jnp.float32
    assert r.shape == term.shape == trunc.shape == (N, 64) and r.dtype == jnp.float32
    assert term.dtype == trunc.dtype == jnp.bool_
    unused = np.arange(5)[None, :] >= np.asarray(ps.dim)[:, None]  # [N, 5]
    assert np.all(np.asarray(final)[np.broadcast_to(unused[:, None], final.shape)] == 0)
    assert np.all(np.isfinite(np.asarray(final)))
    assert FAMILY.observation_space(ps).shape == (5,) and FAMILY.action_space().n == 4
    assert isinstance(ps, ControlParams)


def test_an_episode_ends_when_an_unstable_mode_exceeds_1_and_that_step_pays_0():
    ps = draw_family(keys())
    obs, final, r, term, trunc = random_steps(ps, jax.random.key(2))
    coords = np.abs(np.einsum("nmd,ntd->ntm", np.asarray(ps.unstable), np.asarray(final)))
    np.testing.assert_array_equal(np.asarray(term), coords.max(-1) > 1.0)
    np.testing.assert_array_equal(np.asarray(r), np.where(np.asarray(term), 0.0, 1.0))
    assert np.asarray(term).sum() > 100 and not np.asarray(trunc).any()  # 64 < 200 steps
    after = np.asarray(obs)[np.asarray(term)]  # auto-reset to a start near 0
    assert np.all(np.abs(after) <= 0.05)
    # from just inside the edge, a push outwards falls at once
    p = pick(ps, 0)
    q0 = p.unstable[0]
    out = int(jnp.argmax(p.push @ q0))
    s = ControlState(x=0.999 * q0, time=5)
    _, _, reward, fell, _ = FAMILY.step_env(jax.random.key(0), s, out, p)
    assert bool(fell) and float(reward) == 0.0


def test_an_episode_is_truncated_after_max_steps():
    env = BASE_ENV
    p = pick(draw_base(keys()), 0)
    s = ControlState(x=jnp.zeros(4, jnp.float32), time=199)
    obs, s2, r, term, trunc, _ = env.step(jax.random.key(0), s, 0, p)
    assert bool(trunc) and not bool(term) and float(r) == 1.0 and int(s2.time) == 0


def test_sizes_stay_in_bounds_every_size_occurs_and_the_spectrum_is_as_drawn():
    ps = draw_family(keys())
    assert set(np.asarray(ps.dim).tolist()) == {2, 3, 4, 5}
    assert set(np.asarray(ps.num_unstable).tolist()) == {1, 2}
    assert set(np.asarray(ps.num_actions).tolist()) == {2, 3, 4}
    assert np.all((np.asarray(ps.eps) >= 0) & (np.asarray(ps.eps) <= 0.5))
    for i in range(0, N, 16):
        p = pick(ps, i)
        d, m = int(p.dim), int(p.num_unstable)
        lam = np.asarray(p.eigenvalues)
        assert np.all((lam[:m] >= 1) & (lam[:m] <= 4)) and np.all(lam[d:] == 0)
        assert np.all((lam[m:d] >= -2) & (lam[m:d] <= -0.5))
        np.testing.assert_allclose(np.linalg.eigvalsh(p.a), np.sort(lam), atol=1e-4)
        q = np.asarray(p.unstable)[:m]  # orthonormal eigenvectors of A for the unstable modes
        np.testing.assert_allclose(q @ q.T, np.eye(m), atol=1e-5)
        np.testing.assert_allclose(q @ np.asarray(p.a), lam[:m, None] * q, atol=1e-4)


def test_same_key_same_task_and_different_keys_different_tasks():
    a, b = draw_family(keys(7)), draw_family(keys(7))
    jax.tree.map(np.testing.assert_array_equal, a, b)
    assert len({x.tobytes() for x in np.asarray(a.a)}) == N
    assert len({x.tobytes() for x in np.asarray(a.push)}) == N


def test_actions_beyond_n_a_behave_as_a_mod_n_a():
    ps = draw_family(keys())
    step = jax.jit(lambda k, s, a, p: FAMILY.step_env(k, s, a, p))
    for n_a in (2, 3):
        p = pick(ps, int(np.argmax(np.asarray(ps.num_actions) == n_a)))
        assert int(p.num_actions) == n_a
        s = ControlState(x=0.3 * p.unstable[0], time=3)
        for a in range(n_a, 4):
            got = step(jax.random.key(a), s, a, p)
            want = step(jax.random.key(a), s, a % n_a, p)
            jax.tree.map(np.testing.assert_array_equal, got, want)


def test_the_base_process():
    ps = draw_base(keys())
    assert set(np.asarray(ps.dim).tolist()) == {4} and np.all(np.asarray(ps.eps) == 0)
    assert set(np.asarray(ps.num_unstable).tolist()) == {1}
    assert set(np.asarray(ps.num_actions).tolist()) == {2}
    push, q0 = np.asarray(ps.push), np.asarray(ps.unstable)[:, 0]  # [N, 2, 4], [N, 4]
    np.testing.assert_allclose(push[:, 1], -push[:, 0])  # s = -1, +1 along one direction b
    f = np.linalg.norm(push[:, 0], axis=-1)  # |b| = 1, so the norm is the force
    along = np.einsum("nd,nd->n", push[:, 0], q0)
    np.testing.assert_allclose(np.abs(along), 0.6 * f, rtol=1e-4)
    assert {True, False} == set((along > 0).tolist())  # b = 0.6 (+-q0) + 0.8 u, sign random
    ratio = f / np.asarray(ps.eigenvalues)[:, 0]
    assert np.all((ratio >= 2 / 0.6 - 1e-4) & (ratio <= 3 / 0.6 + 1e-4))


def test_random_policy_falls_4_to_12_times_per_200_steps_and_a_stabiliser_far_less():
    num = 64
    lt = jax.jit(
        lambda key: rollout.run_lifetimes(agents.make("random"), {}, BASE_ENV, key, num, 200)
    )(jax.random.key(0))
    random_falls = float((np.asarray(lt.rewards) == 0).sum(-1).mean())
    assert 4.0 <= random_falls <= 12.0, random_falls
    stabilised = float(falls_per_lifetime(draw_base(keys(3, num)), jax.random.key(4)).mean())
    assert stabilised <= 0.1 * random_falls, (stabilised, random_falls)


def test_a_projected_permuted_lifetime_runs_with_symla():
    env = envs.make("random_control", project_obs=16, permute_actions=True)
    agent = agents.make("symla", hidden=4)
    run = jax.jit(lambda params, key: rollout.run_lifetimes(agent, params, env, key, 2, 30))
    lt = run(agent.init(jax.random.key(0)), jax.random.key(1))
    assert lt.rewards.shape == (2, 30) and lt.logits.shape == (2, 30, 4)
    assert set(np.unique(np.asarray(lt.rewards))) <= {0.0, 1.0}


@pytest.mark.parametrize(
    "options, field",
    [
        ({"min_dim": 5, "max_dim": 4}, "min_dim"),
        ({"min_dim": 0}, "min_dim"),
        ({"max_dim": -1}, "max_dim"),
        ({"min_unstable": 0}, "min_unstable"),
        ({"max_unstable": 3, "min_dim": 2}, "max_unstable"),
        ({"min_actions": 1}, "min_actions"),
        ({"max_actions": 0}, "max_actions"),
        ({"max_steps": 0}, "max_steps"),
        ({"unstable_low": -1.0}, "unstable_low"),
        ({"stable_high": 0.5}, "stable_high"),
        ({"force_low": 4.0}, "force_low"),
    ],
)
def test_bad_options_name_the_field(options, field):
    with pytest.raises(ValueError, match=field):
        envs.make("random_control", **options)
