"""Meta-testing: test sets, chunked and padded runs equal to one batch, summaries, clear errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla_lite import agents, envs, evaluation
from symla_lite.agents import baselines


def setup(n=300, dist="uniform_dependent", key=0) -> evaluation.TestSet:
    return evaluation.test_set(envs.make("bandit", dist=dist), jax.random.key(key), n)


def test_chunking_does_not_change_results():
    test = setup(301)
    agent = baselines.Thompson()
    whole = evaluation.regret(agent, {}, test, 15, chunk=1000)
    # 301 = 4 x 64 + 45 and 301 = 2 x 128 + 45: a short last chunk needing more padding than it has.
    for chunk in (64, 128):
        parts = evaluation.regret(agent, {}, test, 15, chunk=chunk)
        np.testing.assert_allclose(parts.total, whole.total, rtol=1e-6)
        np.testing.assert_allclose(parts.curve, whole.curve, rtol=1e-6)
        np.testing.assert_allclose(parts.curve_sem, whole.curve_sem, rtol=1e-5)


def test_summary_statistics():
    s = evaluation.regret(baselines.RandomPolicy(), {}, setup(400), 10)
    assert s.n == 400 and s.curve.shape == (10,)
    assert s.curve[-1] == pytest.approx(s.mean)
    assert s.curve_sem[-1] == pytest.approx(s.sem, rel=1e-6)
    assert s.sem == pytest.approx(s.total.std(ddof=1) / 20)
    assert np.all(np.diff(s.curve) >= 0)  # cumulative regret never decreases
    # random policy, dependent arms: per step E[max(p, 1 - p)] - 1/2 = 3/4 - 1/2
    assert abs(s.mean - 10 / 4) < 4 * s.sem
    row = evaluation.summary_row(s, method="random")
    assert row["n_lifetimes"] == 400 and row["method"] == "random"
    df = evaluation.curve_frame(s, method="random")
    assert list(df.columns) == ["method", "step", "cum_regret_mean", "cum_regret_sem"]
    assert df["step"].tolist() == list(range(1, 11))


def test_regret_is_exact_for_a_fixed_choice():
    test = setup(50)
    probs = np.asarray(test.tasks.probs)

    class Arm0(baselines.RandomPolicy):
        def step(self, params, state, obs, prev_action, prev_reward):
            return baselines.choose(jnp.int32(0), 2), state

    s = evaluation.regret(Arm0(), {}, test, 7)
    np.testing.assert_allclose(s.total, 7 * (probs.max(1) - probs[:, 0]), rtol=1e-5, atol=1e-5)


def test_test_keys_are_fixed_and_distinct():
    a = jax.random.key_data(evaluation.test_key(0, "x"))
    np.testing.assert_array_equal(a, jax.random.key_data(evaluation.test_key(0, "x")))
    assert not np.array_equal(a, jax.random.key_data(evaluation.test_key(0, "y")))
    assert not np.array_equal(a, jax.random.key_data(evaluation.test_key(1, "x")))


def test_bad_inputs():
    with pytest.raises(ValueError, match="chunk"):
        evaluation.regret(baselines.Thompson(), {}, setup(10), 5, chunk=0)
    with pytest.raises(ValueError, match="at least one task"):
        evaluation.test_set(envs.make("bandit"), jax.random.key(0), 0)
    with pytest.raises(ValueError, match="no regret"):
        test = evaluation.test_set(envs.make("CartPole-v1"), jax.random.key(0), 2)
        evaluation.regret(baselines.Thompson(), {}, test, 5)


def test_same_key_same_test_set_and_every_method_meets_it():
    a, b = setup(20, key=5), setup(20, key=5)
    np.testing.assert_array_equal(np.asarray(a.tasks.probs), np.asarray(b.tasks.probs))
    np.testing.assert_array_equal(jax.random.key_data(a.keys), jax.random.key_data(b.keys))
    assert not np.array_equal(np.asarray(setup(20, key=6).tasks.probs), np.asarray(a.tasks.probs))


def test_run_pads_the_last_chunk_and_drops_the_padding():
    test = evaluation.test_set(envs.make("gridworld"), jax.random.key(1), 10)
    agent = agents.make("random")
    whole = evaluation.run(agent, {}, test, 12, ("rewards", "dones"), chunk=10)
    parts = evaluation.run(agent, {}, test, 12, ("rewards", "dones"), chunk=4)
    assert whole["rewards"].shape == (10, 12) and whole["dones"].dtype == bool
    for f in ("rewards", "dones"):
        np.testing.assert_array_equal(parts[f], whole[f])


def test_compiled_once_per_env_configuration():
    agent = agents.make("random")
    evaluation._compiled.clear()
    for _ in range(3):  # three instances built alike share one compiled function
        test = evaluation.test_set(
            envs.make("bandit", dist="uniform_independent", num_arms=3), jax.random.key(0), 4
        )
        evaluation.run(agent, {}, test, 5)
    assert len(evaluation._compiled) == 1
    test = evaluation.test_set(
        envs.make("bandit", dist="uniform_independent", num_arms=4), jax.random.key(0), 4
    )
    evaluation.run(agent, {}, test, 5)
    assert len(evaluation._compiled) == 2


def test_sem_and_episode_returns():
    assert evaluation.sem([1.0, 3.0]) == pytest.approx(1.0)
    assert np.isnan(evaluation.sem([2.0]))
    rewards = np.array([[1.0, 1.0, 0.0, 1.0, 1.0, 1.0]])
    dones = np.array([[False, False, True, False, True, False]])
    ep = evaluation.episode_returns(rewards, dones, 3)
    np.testing.assert_array_equal(ep[:, :2], [[2.0, 2.0]])  # the unfinished third is left out
    assert np.isnan(ep[0, 2])
    row = evaluation.summarise(np.array([1.0, np.nan, 3.0]), method="x")
    assert row["return_mean"] == 2.0 and row["n_lifetimes"] == 2 and row["method"] == "x"
