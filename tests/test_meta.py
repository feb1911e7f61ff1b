"""ES meta-training: it learns, it is deterministic, it resumes exactly, it rejects bad input."""

import concurrent.futures
import dataclasses
import pickle
import time

import jax
import numpy as np
import pandas as pd
import pytest

from symla_lite import budget, io, meta, rollout


def flat(params):
    return np.concatenate([np.ravel(x) for x in jax.tree_util.tree_leaves(params)])


def evaluate(result):
    return float(
        rollout.fitness(result.agent, result.params, result.env, jax.random.key(7), 4000, 20)
    )


@pytest.fixture(scope="module")
def smoke():
    return meta.train(meta.TrainConfig(agent="symla", preset="smoke", progress=False))


def test_es_improves_mean_fitness_on_the_smoke_bandit_preset(smoke):
    start = meta.train(
        meta.TrainConfig(agent="symla", preset="smoke", generations=1, progress=False)
    )
    # 4000 lifetimes of 20 steps: the standard error of the mean is below 0.05.
    assert evaluate(smoke) > evaluate(start) + 0.8
    hist = smoke.history
    assert list(hist.columns) == ["generation", "mean_fitness", "best_fitness"]
    assert smoke.elapsed_s > 0
    assert hist.generation.tolist() == list(range(25))  # the smoke preset's generations
    assert (hist.best_fitness >= hist.mean_fitness).all()
    assert hist.mean_fitness.tail(5).mean() > hist.mean_fitness.head(5).mean()


def test_same_seed_gives_bitwise_identical_meta_parameters(smoke):
    again = meta.train(meta.TrainConfig(agent="symla", preset="smoke", progress=False))
    np.testing.assert_array_equal(flat(again.params), flat(smoke.params))
    other = meta.train(meta.TrainConfig(agent="symla", preset="smoke", seed=1, generations=2))
    assert not np.array_equal(flat(other.params)[:100], flat(smoke.params)[:100])


def test_resume_equals_uninterrupted(tmp_path):
    base = dict(agent="metarnn", preset="smoke", generations=6, checkpoint_every=2, progress=False)
    whole = meta.train(meta.TrainConfig(**base, checkpoint_dir=str(tmp_path / "whole")))
    ckpt = str(tmp_path / "interrupted")
    meta.train(meta.TrainConfig(**{**base, "generations": 4}, checkpoint_dir=ckpt))
    resumed = meta.train(meta.TrainConfig(**base, checkpoint_dir=ckpt, resume=True))
    np.testing.assert_array_equal(flat(resumed.params), flat(whole.params))
    pd.testing.assert_frame_equal(resumed.history, whole.history)


def test_the_test_pause_holds_after_its_generation_until_released(tmp_path, monkeypatch):
    """meta.TEST_PAUSE (test-only; tests/test_batch.py interrupts a batch with it): training stops
    after the checkpoint of generation k, says so in a file, and goes on when the file is removed,
    with the result of a run never paused."""
    base = dict(agent="metarnn", preset="smoke", generations=6, checkpoint_every=2, progress=False)
    whole = meta.train(meta.TrainConfig(**base))
    marker, ckpt = tmp_path / "paused", tmp_path / "c"
    monkeypatch.setenv(meta.TEST_PAUSE, f"3:{marker}")  # not a chunk's end: the next one, 4
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        paused = pool.submit(meta.train, meta.TrainConfig(**base, checkpoint_dir=str(ckpt)))
        while not marker.exists():
            if paused.done():
                paused.result()  # its error
                pytest.fail("meta.train finished without pausing")
            time.sleep(0.01)
        assert marker.read_text() == "4\n"
        assert io.load_pickle(ckpt / meta.CHECKPOINT)["generation"] == 4  # and it holds there
        assert not paused.done()
        marker.unlink()
        resumed = paused.result()
    np.testing.assert_array_equal(flat(resumed.params), flat(whole.params))
    pd.testing.assert_frame_equal(resumed.history, whole.history)
    assert io.load_pickle(ckpt / meta.CHECKPOINT)["generation"] == 6 and not marker.exists()


def test_milestones_are_the_runs_to_each_generation_count_and_are_kept(tmp_path):
    base = dict(agent="metarnn", preset="smoke", checkpoint_every=2, progress=False)
    ckpt = str(tmp_path / "m")
    cfg = meta.TrainConfig(**base, checkpoint_dir=ckpt)
    got = budget.train_milestones(cfg, [0, 1], [4, 2])
    assert sorted(got) == [2, 4]
    alone = meta.train_seeds(meta.TrainConfig(**base, generations=4), [0, 1])
    for m2, m4, a in zip(got[2], got[4], alone, strict=True):
        np.testing.assert_array_equal(flat(m4.params), flat(a.params))
        pd.testing.assert_frame_equal(m4.history, a.history)
        pd.testing.assert_frame_equal(m2.history, a.history.iloc[:2])
        assert not np.array_equal(flat(m2.params), flat(m4.params))
        assert (m2.config.generations, m4.config.generations) == (2, 4)
    again = budget.train_milestones(cfg, [0, 1], [2, 4])  # from the files, nothing trained
    np.testing.assert_array_equal(flat(again[2][1].params), flat(got[2][1].params))
    pd.testing.assert_frame_equal(again[4][0].history, got[4][0].history)
    (tmp_path / "m" / "milestone_2.pkl").unlink()
    with pytest.raises(ValueError, match="past milestone 2"):
        budget.train_milestones(cfg, [0, 1], [2])
    with pytest.raises(ValueError, match="different config"):
        budget.train_milestones(cfg, [0, 2], [4])
    with pytest.raises(ValueError, match="milestones"):
        budget.train_milestones(cfg, [0, 1], [])


def test_resume_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        meta.train(
            meta.TrainConfig(preset="smoke", checkpoint_dir=str(tmp_path / "none"), resume=True)
        )
    ckpt = str(tmp_path / "c")
    meta.train(
        meta.TrainConfig(agent="metarnn", preset="smoke", generations=1, checkpoint_dir=ckpt)
    )
    with pytest.raises(ValueError, match="different config.*seed"):
        meta.train(
            meta.TrainConfig(
                agent="metarnn", preset="smoke", seed=5, checkpoint_dir=ckpt, resume=True
            )
        )


def test_decaying_noise_follows_its_schedule_and_keeps_older_checkpoints_valid(tmp_path):
    cfg = meta.TrainConfig(agent="metarnn", preset="smoke", progress=False)
    assert "std_decay" not in cfg.identity()  # unset: identities of older checkpoints still match
    decay = dataclasses.replace(cfg, std_decay=0.9, checkpoint_dir=str(tmp_path / "d"))
    assert decay.identity()["std_decay"] == 0.9
    decayed = meta.train(decay)
    with open(tmp_path / "d" / meta.CHECKPOINT, "rb") as f:
        (state,) = pickle.load(f)["es_state"]
    gens, std = cfg.hyper()["generations"], cfg.hyper()["std"]
    # the last tell set the noise for the next generation from the counter before it counted
    assert float(state.std) == pytest.approx(std * 0.9 ** (gens - 1), rel=1e-5)
    constant = meta.train(cfg)
    assert not np.array_equal(flat(decayed.params), flat(constant.params))
    with pytest.raises(ValueError, match="std_decay"):
        dataclasses.replace(cfg, std_decay=1.5).hyper()


def test_bad_config_errors():
    with pytest.raises(ValueError, match="unknown preset 'huge'.*smoke.*lite.*paper"):
        meta.train(meta.TrainConfig(preset="huge"))
    with pytest.raises(ValueError, match="unknown agent"):
        meta.train(meta.TrainConfig(agent="gpt", preset="smoke"))
    with pytest.raises(ValueError, match="population must be even"):
        meta.train(meta.TrainConfig(preset="smoke", population=7))


def test_non_finite_fitness_is_a_clear_error(monkeypatch):
    real_build = meta.build

    def build_with_nan_rewards(config):
        agent, env = real_build(config)
        step = env.step_env

        def nan_step(*args):
            obs, state, reward, terminated, info = step(*args)
            return obs, state, reward * np.nan, terminated, info

        object.__setattr__(env, "step_env", nan_step)
        return agent, env

    monkeypatch.setattr(meta, "build", build_with_nan_rewards)
    with pytest.raises(FloatingPointError, match="non-finite fitness at generation 0"):
        meta.train(meta.TrainConfig(preset="smoke", generations=2, progress=False))


@pytest.mark.heavy
@pytest.mark.parametrize("agent", ["symla", "metarnn"])
def test_seeds_in_one_program_equal_seeds_one_by_one(agent, tmp_path):
    config = meta.TrainConfig(agent=agent, preset="smoke", generations=4, progress=False)
    together = meta.train_seeds(config, [3, 0, 7])
    for seed, res in zip([3, 0, 7], together, strict=True):
        alone = meta.train(dataclasses.replace(config, seed=seed))
        assert res.config.seed == seed
        for a, b in zip(jax.tree.leaves(res.params), jax.tree.leaves(alone.params), strict=True):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        pd.testing.assert_frame_equal(res.history, alone.history)
    # a checkpoint holds all seeds; resuming it for more generations equals running them at once
    ckpt = dict(checkpoint_dir=str(tmp_path), progress=False)
    meta.train_seeds(dataclasses.replace(config, generations=2, **ckpt), [3, 0])
    resumed = meta.train_seeds(dataclasses.replace(config, resume=True, **ckpt), [3, 0])
    for a, b in zip(jax.tree.leaves(resumed[1].params), jax.tree.leaves(together[1].params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    with pytest.raises(ValueError, match="differs in \\['seed'\\]"):
        meta.train_seeds(dataclasses.replace(config, resume=True, **ckpt), [3, 1])
    with pytest.raises(ValueError, match="distinct seeds"):
        meta.train_seeds(config, [1, 1])
