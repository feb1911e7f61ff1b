"""The atlas's pieces: the gymnax adapter on every environment, the registry's coverage, the
lifetimes, early / late returns by quarter, the score's missing and zero denominators, the random
policy run as REINFORCE with rate 0."""

import gymnax
import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from symla_lite import agents, atlas_scoring, envs, evaluation, presets
from symla_lite.envs import ATLAS, CLASSIC, SKIPPED
from symla_lite.experiments import atlas


def test_atlas_and_skipped_are_exactly_the_registry():
    assert not set(ATLAS) & set(SKIPPED)
    assert set(ATLAS) | set(SKIPPED) == set(gymnax.registered_envs)
    assert len(ATLAS) == len(set(ATLAS)) >= 18
    assert "MNISTBandit-bsuite" in SKIPPED and "download" in SKIPPED["MNISTBandit-bsuite"]
    assert set(atlas.LIFETIMES) == set(atlas.EPISODE_LENGTHS) == set(ATLAS)


def test_skipped_and_unknown_environments_are_clear_errors():
    with pytest.raises(ValueError, match="continuous actions"):
        envs.make("Pendulum-v1")
    with pytest.raises(ValueError, match="skipped by the atlas: building it downloads MNIST"):
        atlas.check_env_ids(["MNISTBandit-bsuite"])
    with pytest.raises(ValueError, match="unknown environment 'Nope-v0'.*CartPole-v1"):
        atlas.check_env_ids(["Nope-v0"])
    with pytest.raises(ValueError, match="env_ids is empty"):
        atlas.check_env_ids([])
    assert atlas.check_env_ids(["Pong-misc", "CartPole-v1"]) == ["CartPole-v1", "Pong-misc"]


@pytest.mark.parametrize("env_id", ATLAS)
def test_every_atlas_environment_steps_with_flat_float_observations(env_id):
    env = envs.make(env_id, project_obs=16)
    inner = env.env
    assert isinstance(inner, envs.Classic if env_id in CLASSIC else envs.Flat)
    params = env.sample_params(jax.random.key(0))
    size = inner.observation_space(inner.default_params).shape
    assert len(size) == 1 and size[0] >= 1
    assert env.num_actions >= 2

    raw, _ = jax.eval_shape(inner.reset, jax.random.key(0), params.inner)
    assert raw.dtype == jnp.float32 and raw.shape == size

    @jax.jit
    def run(key):
        k1, k2 = jax.random.split(key)
        obs, state = env.reset(k1, params)
        obs2, _, reward, term, trunc, _ = env.step(k2, state, env.num_actions - 1, params)
        return obs, obs2, reward, term, trunc

    obs, obs2, reward, term, trunc = run(jax.random.key(1))
    assert obs.dtype == obs2.dtype == jnp.float32 and obs.shape == obs2.shape == (16,)
    assert np.isfinite(obs).all() and np.isfinite(obs2).all()
    assert reward.dtype == jnp.float32 and reward.shape == ()
    assert term.dtype == trunc.dtype == jnp.bool_


def test_frozen_lake_observation_is_one_hot():
    env = envs.make("FrozenLake-misc")
    obs, _ = env.reset(jax.random.key(0), env.sample_params(jax.random.key(0)))
    assert obs.shape == (16,) and float(obs.sum()) == 1.0 and float(obs[0]) == 1.0


def test_lifetimes_follow_the_rule_and_scale():
    for env_id in ATLAS:
        assert atlas.LIFETIMES[env_id] == atlas.lifetime_rule(atlas.EPISODE_LENGTHS[env_id])
        assert atlas.LIFETIMES[env_id] >= atlas.MIN_EPISODES * atlas.EPISODE_LENGTHS[env_id]
    assert atlas.lifetime_rule(2500.0) == 10_000  # Freeway: 4 episodes beat the cap
    assert atlas.lifetime_rule(22.4) == atlas.MIN_LIFETIME
    assert atlas.lifetime_rule(369.2) == atlas.MAX_LIFETIME
    assert presets.evaluation("lite")["atlas_lifetime_scale"] == 1.0
    lite = atlas.lifetimes(ATLAS, "lite")
    assert lite == atlas.LIFETIMES
    half = atlas.lifetimes(["CartPole-v1", "Asterix-MinAtar"], "lite", 0.5)
    assert half == {"CartPole-v1": 500, "Asterix-MinAtar": 552}  # multiples of 4
    smoke = atlas.lifetimes(["CartPole-v1"], "smoke", 0.01)
    assert smoke == {"CartPole-v1": 8}  # at least 8
    with pytest.raises(ValueError, match="lifetime scale must be > 0"):
        atlas.lifetimes(["CartPole-v1"], "lite", 0)


def test_quarter_returns_on_constructed_lifetimes():
    # L = 16, quarters of 4 steps: ends in steps 0-3 are early, in steps 12-15 late.
    rewards = np.zeros((3, 16))
    dones = np.zeros((3, 16), bool)
    # lifetime 0: episodes ending at steps 1 (return 1), 3 (return 2), 8 (5), 13 (3), 15 (7)
    for end, ret in ((1, 1), (3, 2), (8, 5), (13, 3), (15, 7)):
        dones[0, end], rewards[0, end] = True, ret
    # lifetime 1: one episode ending at step 10 and an unfinished one paying 9
    dones[1, 10], rewards[1, 10], rewards[1, 15] = True, 4.0, 9.0
    # lifetime 2: an episode ending at step 2, none in the last quarter
    dones[2, 2], rewards[2, 2] = True, 1.0
    df = atlas.quarter_returns(rewards, dones)
    assert list(df["episodes"]) == [5, 1, 1]
    assert list(df["n_early"]) == [2, 0, 1] and list(df["n_late"]) == [2, 0, 0]
    assert df.loc[0, ["early", "late", "gain"]].tolist() == [1.5, 5.0, 3.5]
    assert df.loc[1, ["early", "late", "gain"]].isna().all()
    assert df.loc[2, "early"] == 1.0 and np.isnan(df.loc[2, "late"]) and np.isnan(df.loc[2, "gain"])
    s = atlas_scoring._summary(df)  # only lifetime 0 has both
    assert s["n_scored"] == 1 and s["learning_gain"] == 3.5 and s["early_return"] == 1.5


def test_score_and_its_missing_or_zero_denominator():
    assert atlas.score(3.0, 1.0, 5.0) == (0.5, "")
    assert atlas.score(1.0, 1.0, 5.0)[0] == 0.0 and atlas.score(5.0, 1.0, 5.0)[0] == 1.0
    for reinforce_late in (1.0, 1.0 + 1e-9, 0.5):  # zero, tiny or negative denominator
        s, note = atlas.score(3.0, 1.0, reinforce_late)
        assert np.isnan(s) and note.startswith("not scored: REINFORCE's late return is not above")
    s, note = atlas.score(3.0, 1.0, 1.5, margin=0.6)  # within 2 standard errors: noise
    assert np.isnan(s) and "not above" in note
    s, note = atlas.score(float("nan"), 1.0, 5.0)
    assert np.isnan(s) and note == "not scored: no episode ends in the first or last quarter"


def test_random_policy_is_reinforce_with_rate_zero():
    env = envs.make("CartPole-v1", project_obs=16)
    test = evaluation.test_set(env, evaluation.test_key(0, "atlas-test"), 3)
    a = evaluation.run(agents.make("random"), {}, test, 40, ("rewards", "actions", "dones"))
    b = evaluation.run(agents.make("reinforce"), atlas.RANDOM, test, 40, tuple(a))
    for f in a:
        np.testing.assert_array_equal(a[f], b[f])


def test_reinforce_rate_given_as_params_matches_the_fixed_rate():
    fixed, runtime = agents.make("reinforce", lr=0.1), agents.make("reinforce")
    key = jax.random.key(0)
    s1 = fixed.initial_state(key, 3, 2)
    s2 = runtime.initial_state(key, 3, 2)
    for t in range(4):
        obs = jnp.array([0.5, -1.0, 0.25 * t])
        action, reward = jnp.int32(t % 2 if t else -1), jnp.float32(t)
        l1, s1 = fixed.step({}, s1, obs, action, reward)
        l2, s2 = runtime.step({"lr": np.float32(0.1)}, s2, obs, action, reward)
        np.testing.assert_allclose(l1, l2, rtol=1e-6, atol=1e-7)


def test_environments_in_parallel_threads_give_the_serial_numbers():
    symla = agents.make("symla", hidden=4)
    runs = [("symla", 0, symla, symla.init(jax.random.key(0)))]
    lengths = {"MemoryChain-bsuite": 24, "UmbrellaChain-bsuite": 24}
    out = [atlas.meta_test(lengths, 2, 0, runs, [0.1], parallel=p) for p in (True, False)]
    (lives_p, rows_p, search_p), (lives_s, rows_s, search_s) = out
    assert pd.concat(lives_p).equals(pd.concat(lives_s))
    assert pd.DataFrame(rows_p).equals(pd.DataFrame(rows_s))
    assert pd.concat(search_p).equals(pd.concat(search_s))
    rows = rows_p
    assert [r["env"] for r in rows] == [e for e in lengths for _ in range(3)]
    assert rows[0]["method"] == "symla" and rows[0]["note"] == ""
