"""Presets: the tables, the standard preset's departures from lite, and which batches ship."""

import pytest

from symla_lite import presets


def test_standard_is_lite_outside_its_experiments():
    for family in presets.FAMILIES:
        assert presets.preset("standard", family) == presets.preset("lite", family)
    assert presets.evaluation("standard") == presets.evaluation("lite")
    assert presets.experiment("lite", "unseen_observations") == ({}, presets.NUM_SEEDS)
    assert presets.experiment("standard", "unseen_tasks") == ({}, presets.NUM_SEEDS)


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
