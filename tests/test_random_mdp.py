"""Random tabular MDPs: drawn tasks, rewards, transitions, aliased actions, horizon; held-out ids."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla_lite import agents, envs, rollout
from symla_lite.envs.random_mdp import MDPParams, MDPState

SMALL = {"min_states": 2, "max_states": 6, "min_actions": 2, "max_actions": 4, "horizon": 5}
ENV = envs.make("random_mdp", **SMALL)  # one environment, so that its programs compile once
N = 200  # tasks per draw


@jax.jit
def draw_keys(keys):
    return jax.vmap(ENV.sample_params)(keys)


def draw(seed=0):
    """N tasks of ENV, batched: MDPParams with a leading axis of N."""
    return draw_keys(jax.random.split(jax.random.key(seed), N))


def pick(ps, i):
    return jax.tree.map(lambda x: x[i], ps)


def test_obs_reward_done_shapes_and_dtypes_for_every_drawn_task():
    env, ps = ENV, draw()
    keys = jax.random.split(jax.random.key(1), N)
    actions = jax.random.randint(jax.random.key(2), (N,), 0, env.num_actions)

    @jax.jit
    def reset_and_step(keys, actions, ps):
        obs, s = jax.vmap(env.reset)(keys, ps)
        return obs, s, *jax.vmap(env.step)(keys, s, actions, ps)

    obs, s, obs2, s2, r, term, trunc, _ = reset_and_step(keys, actions, ps)
    assert obs.shape == obs2.shape == (N, 6) and obs.dtype == obs2.dtype == jnp.float32
    assert r.shape == term.shape == trunc.shape == (N,)
    assert r.dtype == jnp.float32 and term.dtype == trunc.dtype == jnp.bool_
    for o, state in ((obs, s), (obs2, s2)):  # one-hot of a state below n_s
        np.testing.assert_array_equal(np.asarray(o).sum(-1), 1.0)
        assert np.all(np.asarray(o).argmax(-1) == np.asarray(state.state))
        assert np.all(np.asarray(state.state) < np.asarray(ps.num_states))
    assert env.observation_space(ps).shape == (6,) and env.action_space().n == 4


def test_tables_are_sparse_distributions_over_the_drawn_states():
    ps = draw()
    for i in range(N):
        p = pick(ps, i)
        n_s, n_a = int(p.num_states), int(p.num_actions)
        t = np.asarray(p.transition)[:n_s, :n_a]
        np.testing.assert_allclose(t.sum(-1), 1.0, rtol=1e-5)
        assert np.all(t[..., n_s:] == 0) and np.all((t > 0).sum(-1) <= 3)  # max_branches
        np.testing.assert_allclose(np.asarray(p.start)[:n_s].sum(), 1.0, rtol=1e-5)
        assert np.all(np.asarray(p.start)[n_s:] == 0)
        r = np.asarray(p.reward)
        assert np.all(r[n_s:] == 0) and (r[:, :n_a] > 0).any() and (r[:, :n_a] < 0).sum() <= 1
    assert isinstance(ps, MDPParams)


def test_reward_is_the_drawn_one_and_next_states_follow_the_transitions():
    env, p = ENV, pick(draw(), 0)
    n_s, n_a = int(p.num_states), int(p.num_actions)
    keys = jax.random.split(jax.random.key(0), 4000)

    @jax.jit
    def outcomes(s, a):  # the reward and the next-state frequencies of 4000 steps from (s, a)
        state = MDPState(state=s, time=0)
        _, nxt, r, term, _ = jax.vmap(lambda k: env.step_env(k, state, a, p))(keys)
        return r, jax.nn.one_hot(nxt.state, 6).mean(0), term

    for s in range(n_s):
        for a in range(n_a):
            r, freq, term = outcomes(jnp.int32(s), jnp.int32(a))
            np.testing.assert_allclose(r, p.reward[s, a])
            np.testing.assert_allclose(freq, p.transition[s, a], atol=0.04)
            assert not np.asarray(term).any()


def test_actions_beyond_n_a_behave_as_a_mod_n_a():
    ps = draw()
    p = pick(ps, int(np.argmin(np.asarray(ps.num_actions))))
    n_a = int(p.num_actions)
    assert n_a == 2  # actions 2 and 3 alias 0 and 1
    step = jax.jit(lambda k, s, a: ENV.step_env(k, MDPState(state=s, time=3), a, p))
    for s in range(int(p.num_states)):
        for a in range(n_a, 4):
            key = jax.random.key(10 * s + a)
            got = step(key, jnp.int32(s), jnp.int32(a))
            want = step(key, jnp.int32(s), jnp.int32(a % n_a))
            jax.tree.map(np.testing.assert_array_equal, got, want)


def test_episodes_last_exactly_the_horizon():
    env, p = ENV, pick(draw(), 0)
    _, s = env.reset(jax.random.key(0), p)
    ends = []
    for t in range(15):
        _, s, _, term, trunc, _ = env.step(jax.random.key(t), s, t % 4, p)
        assert not bool(term)
        ends.append(bool(trunc))
    assert [t + 1 for t, e in enumerate(ends) if e] == [5, 10, 15]


def test_same_key_same_task_and_different_keys_different_tasks():
    a, b = draw(seed=7), draw(seed=7)
    jax.tree.map(np.testing.assert_array_equal, a, b)
    transitions = {t.tobytes() for t in np.asarray(a.transition)}
    assert len(transitions) == N
    starts = {t.tobytes() for t in np.asarray(a.start)}
    assert len(starts) == N


def test_drawn_sizes_stay_in_bounds_and_every_size_occurs():
    ps = jax.tree.map(lambda *x: np.concatenate(x), draw(0), draw(1))
    assert set(np.asarray(ps.num_states).tolist()) == set(range(2, 7))
    assert set(np.asarray(ps.num_actions).tolist()) == set(range(2, 5))


def test_a_good_policy_earns_o1_to_o10_and_far_more_than_random():
    env = envs.make("random_mdp")  # the defaults: 4..16 states, 2..5 actions, horizon 20
    keys = jax.random.split(jax.random.key(0), 256)
    opt, rand = jax.jit(jax.vmap(lambda k: env.expected_returns(env.sample_params(k))))(keys)
    opt, rand = np.asarray(opt), np.asarray(rand)
    assert 3.0 < opt.mean() < 20.0 and np.all(opt <= 20.0 + 1e-4)
    assert np.all(opt >= rand - 1e-4) and opt.mean() > 2.0 * rand.mean()
    # the random agent of `agents` earns what `expected_returns` says, over 20 episodes each
    env, num = ENV, 256

    @jax.jit
    def measured_and_expected(key):
        lt = rollout.run_lifetimes(agents.make("random"), {}, env, key, num, 100)
        task_keys = jax.vmap(lambda k: jax.random.split(k)[0])(jax.random.split(key, num))
        tasks = jax.vmap(env.sample_params)(task_keys)  # the tasks run_lifetimes drew
        return lt.rewards.sum(-1).mean() / 20, jax.vmap(env.expected_returns)(tasks)[1].mean()

    measured, expected = measured_and_expected(jax.random.key(5))
    assert abs(float(measured) - float(expected)) < 0.3


@pytest.mark.parametrize("name", ["symla", "metarnn"])
def test_a_projected_permuted_lifetime_runs_with_meta_learners(name):
    env = envs.make("random_mdp", project_obs=16, permute_actions=True)
    agent = (
        agents.make("symla", hidden=4)
        if name == "symla"
        else agents.make("metarnn", num_obs=16, num_actions=env.num_actions, hidden=4)
    )
    run = jax.jit(lambda params, key: rollout.run_lifetimes(agent, params, env, key, 3, 45))
    lt = run(agent.init(jax.random.key(0)), jax.random.key(1))
    assert lt.rewards.shape == (3, 45) and lt.logits.shape == (3, 45, 5)
    assert np.all(np.isfinite(lt.rewards)) and np.asarray(lt.dones).sum(-1).tolist() == [2] * 3


@pytest.mark.parametrize(
    "options, field",
    [
        ({"min_states": 5, "max_states": 4}, "min_states"),
        ({"min_states": 0}, "min_states"),
        ({"max_actions": 0}, "max_actions"),
        ({"min_actions": 1}, "min_actions"),
        ({"min_actions": 4, "max_actions": 3}, "min_actions"),
        ({"horizon": 0}, "horizon"),
        ({"max_branches": -1}, "max_branches"),
        ({"reward_density": 1.5}, "reward_density"),
    ],
)
def test_bad_options_name_the_field(options, field):
    with pytest.raises(ValueError, match=field):
        envs.make("random_mdp", **options)
    with pytest.raises(ValueError, match="random_mdp"):
        envs.make("random_mdp", states=4)


def test_held_out_environments_never_enter_meta_training():
    assert set(envs.HELD_OUT) == {"CartPole-v1", "Acrobot-v1", "MountainCar-v0", *envs.ATLAS}
    for name in envs.HELD_OUT:
        with pytest.raises(ValueError, match=f"environment '{name}' is held out for meta-testing"):
            envs.check_training_env(name)
    for name in ("random_mdp", "random_control", "gridworld", "bandit"):
        assert envs.check_training_env(name) is None
    with pytest.raises(ValueError, match="unknown environment"):
        envs.check_training_env("cartpole")
