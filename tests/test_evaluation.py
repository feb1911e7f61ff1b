"""Chunked meta-testing: same numbers as one big batch, correct summaries, clear errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla_lite import baselines, envs, evaluation


def setup(n=300, dist="uniform_dependent"):
    env = envs.make("bandit", dist=dist)
    tasks = evaluation.sample_tasks(env, jax.random.key(0), n)
    return env, tasks


def test_chunking_does_not_change_results():
    env, tasks = setup(301)
    agent = baselines.Thompson()
    whole = evaluation.regret(agent, {}, env, tasks, jax.random.key(1), 15, chunk=1000)
    # 301 = 4 x 64 + 45 and 301 = 2 x 128 + 45: a short last chunk needing more padding than it has.
    for chunk in (64, 128):
        parts = evaluation.regret(agent, {}, env, tasks, jax.random.key(1), 15, chunk=chunk)
        np.testing.assert_allclose(parts.total, whole.total, rtol=1e-6)
        np.testing.assert_allclose(parts.curve, whole.curve, rtol=1e-6)
        np.testing.assert_allclose(parts.curve_sem, whole.curve_sem, rtol=1e-5)


def test_summary_statistics():
    env, tasks = setup(400)
    s = evaluation.regret(baselines.RandomPolicy(), {}, env, tasks, jax.random.key(2), 10)
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
    env, tasks = setup(50)
    probs = np.asarray(tasks.probs)

    class Arm0(baselines.RandomPolicy):
        def step(self, params, state, obs, prev_action, prev_reward):
            return baselines.choice_logits(jnp.int32(0), 2), state

    s = evaluation.regret(Arm0(), {}, env, tasks, jax.random.key(3), 7)
    np.testing.assert_allclose(s.total, 7 * (probs.max(1) - probs[:, 0]), rtol=1e-5, atol=1e-5)


def test_test_keys_are_fixed_and_distinct():
    a = jax.random.key_data(evaluation.test_key(0, "x"))
    np.testing.assert_array_equal(a, jax.random.key_data(evaluation.test_key(0, "x")))
    assert not np.array_equal(a, jax.random.key_data(evaluation.test_key(0, "y")))
    assert not np.array_equal(a, jax.random.key_data(evaluation.test_key(1, "x")))


def test_bad_inputs():
    env, tasks = setup(10)
    with pytest.raises(ValueError, match="chunk"):
        evaluation.regret(baselines.Thompson(), {}, env, tasks, jax.random.key(0), 5, chunk=0)
    empty = jax.tree.map(lambda x: x[:0], tasks)
    with pytest.raises(ValueError, match="at least one task"):
        evaluation.regret(baselines.Thompson(), {}, env, empty, jax.random.key(0), 5)
