"""Presets: the tables, the standard preset's departures from lite, and which batches ship."""

import pytest

from symla_lite import presets, transfer


def test_standard_is_lite_outside_its_experiments():
    for family in presets.FAMILIES:
        assert presets.preset("standard", family) == presets.preset("lite", family)
    assert presets.evaluation("standard") == presets.evaluation("lite")
    assert presets.experiment("standard", "unseen_tasks") == ({}, presets.NUM_SEEDS)
    assert presets.experiment("lite", "unseen_tasks") == ({}, presets.NUM_SEEDS)


def test_standard_cartpole_is_the_measured_budget():
    fields, n = presets.experiment("standard", "unseen_observations")
    assert fields == {"lifetime": 500, "generations": 800} and n == 6
    assert presets.seeds(0, n) == [0, 1, 2, 3, 4, 5]
    # the table itself is left as it was: a second call sees the seeds again
    assert presets.experiment("standard", "unseen_observations")[1] == 6


def test_only_presets_below_standard_ship():
    assert [p for p in presets.PRESETS if presets.ships(p)] == ["smoke", "lite"]
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        presets.ships("huge")
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        presets.experiment("huge", "unseen_observations")


def test_the_projected_grid_world_trains_a_quarter_of_the_table():
    fields, n = presets.experiment("lite", "unseen_environments")
    assert fields == {"generations": 100} and n == presets.NUM_SEEDS
    assert presets.experiment("standard", "unseen_environments") == (fields, n)
    assert presets.preset("lite", "rl")["generations"] == 400  # the other RL notebooks keep it


def test_lite_cartpole_trains_half_the_table_and_the_bandits_test_half_the_lifetimes():
    # the departures that fit the default batch in 30 minutes on a 2-core CPU (README, "Time")
    assert presets.experiment("lite", "unseen_observations") == (
        {"generations": 200},
        presets.NUM_SEEDS,
    )
    assert presets.evaluation("lite")["bandit_tests"] == 5000
    assert presets.evaluation("paper")["bandit_tests"] == 100_000


def test_transfer_train_follows_the_experiments_departures(monkeypatch):
    monkeypatch.setitem(
        presets.EXPERIMENTS, ("smoke", transfer.EXPERIMENT), dict(generations=2, seeds=2)
    )
    runs = transfer.train("metarnn", "smoke", 5, progress=False)
    assert [r.config.seed for r in runs] == [5, 6]
    assert all(len(r.history) == 2 and r.config.hyper()["generations"] == 2 for r in runs)


def test_bandit_distributions_per_preset():
    from symla_lite.envs.bandit import DISTRIBUTIONS

    lite = presets.bandit_distributions("lite")
    # the claims' distributions are always there (biased is added by the unseen-action tests)
    assert {"uniform_independent", "uniform_dependent"} <= set(lite) < set(DISTRIBUTIONS)
    assert set(presets.bandit_distributions("smoke")) < set(lite)
    assert presets.bandit_distributions("standard") == list(DISTRIBUTIONS)
    assert presets.bandit_distributions("paper") == list(DISTRIBUTIONS)
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        presets.bandit_distributions("huge")


def test_a_smoke_bandit_meta_training_is_one_chunk():
    # one scan length, so one compiled program per smoke bandit meta-training (presets.py)
    from symla_lite import meta

    smoke = presets.preset("smoke", "bandit")["generations"]
    assert smoke == 25 and smoke <= meta.TrainConfig().checkpoint_every
