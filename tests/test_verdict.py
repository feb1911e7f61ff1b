"""The verdict rule on constructed numbers, and the claims table that verdict.update maintains."""

import math

import numpy as np
import pandas as pd
import pytest

from symla_lite import verdict

SEEDS_LOW = [1.0, 1.1, 0.9]  # mean 1.0, SE 0.0577
SEEDS_HIGH = [3.0, 3.1, 2.9]  # mean 3.0


def rule(symla_seeds, baseline, direction):
    return verdict.row("c", "bandits", "regret", symla_seeds, baseline, direction, "smoke")


def test_the_three_outcomes():
    assert rule(SEEDS_LOW, (2.0, 0.05), "lower")["verdict"] == "reproduced"
    assert rule(SEEDS_HIGH, (2.0, 0.05), "lower")["verdict"] == "not_reproduced"
    assert rule(SEEDS_LOW, (1.05, 0.05), "lower")["verdict"] == "inconclusive"


def test_direction_higher_mirrors_lower():
    assert rule(SEEDS_HIGH, (2.0, 0.05), "higher")["verdict"] == "reproduced"
    assert rule(SEEDS_LOW, (2.0, 0.05), "higher")["verdict"] == "not_reproduced"
    low = verdict.z_score(1.0, 0.1, 2.0, 0.1, "lower")
    assert low == pytest.approx(1 / math.hypot(0.1, 0.1))
    assert verdict.z_score(1.0, 0.1, 2.0, 0.1, "higher") == pytest.approx(-low)


def test_threshold_is_two_standard_errors():
    se = math.hypot(0.3, 0.4)  # 0.5
    v = verdict.verdict
    assert v(2.0 + 2 * se, 0.3, 2.0, 0.4, "higher", 3) == "reproduced"
    assert v(2.0 + 1.99 * se, 0.3, 2.0, 0.4, "higher", 3) == "inconclusive"
    assert v(2.0 - 2 * se, 0.3, 2.0, 0.4, "higher", 3) == "not_reproduced"


def test_fewer_than_three_seeds_are_inconclusive():
    r = rule([1.0, 1.1], (5.0, 0.01), "lower")
    assert r["n_seeds"] == 2 and r["verdict"] == "inconclusive"
    r = rule([1.0], (5.0, 0.01), "lower")
    assert math.isnan(r["symla_sem"]) and r["verdict"] == "inconclusive"
    assert rule([1.0, 1.1, 0.9], (5.0, 0.01), "lower")["verdict"] == "reproduced"


def test_no_spread_and_missing_numbers():
    assert verdict.verdict(1.0, 0.0, 2.0, 0.0, "lower", 3) == "reproduced"  # z = +inf
    assert verdict.verdict(1.0, 0.0, 1.0, 0.0, "lower", 3) == "inconclusive"  # z = NaN
    assert verdict.verdict(np.nan, 0.1, 1.0, 0.1, "lower", 3) == "inconclusive"


def test_bad_direction_and_bad_seeds_raise():
    with pytest.raises(ValueError, match="direction must be 'lower' or 'higher'"):
        rule(SEEDS_LOW, (2.0, 0.05), "below")
    with pytest.raises(ValueError, match="1-d array"):
        rule([], (2.0, 0.05), "lower")
    with pytest.raises(ValueError, match="unknown verdicts"):
        verdict.table([dict(rule(SEEDS_LOW, (2.0, 0.05), "lower"), verdict="maybe")])


def test_across_is_mean_and_standard_error():
    mean, sem = verdict.across([1.0, 2.0, 3.0])
    assert mean == 2.0 and sem == pytest.approx(1 / math.sqrt(3))
    assert math.isnan(verdict.across([4.0])[1])


def rows(experiment: str, n: int, value: float = 1.0) -> pd.DataFrame:
    return verdict.table(
        verdict.row(f"{experiment} {i}", experiment, "m", [value, value + 0.1, value - 0.1],
                    (value + 1, 0.05), "lower", "smoke")
        for i in range(n)
    )  # fmt: skip


def test_update_replaces_one_experiment_and_keeps_order(tmp_path):
    verdict.update(tmp_path, "unseen_tasks", rows("unseen_tasks", 2))
    verdict.update(tmp_path, "bandits", rows("bandits", 3))
    verdict.update(tmp_path, "zeta", rows("zeta", 1))  # not in ORDER: last
    verdict.update(tmp_path, "unseen_observations", rows("unseen_observations", 1))
    df = verdict.read(tmp_path)
    expected = ["bandits"] * 3 + ["unseen_observations", "unseen_tasks", "unseen_tasks", "zeta"]
    assert list(df["experiment"]) == expected
    assert list(df.columns) == list(verdict.COLUMNS)
    new = verdict.update(tmp_path, "bandits", rows("bandits", 1, value=7.0))
    df = verdict.read(tmp_path)
    assert list(df["experiment"]) == ["bandits", *expected[3:]]
    assert df.loc[0, "symla"] == pytest.approx(7.0)
    pd.testing.assert_frame_equal(df, new, check_dtype=False)
    with pytest.raises(ValueError, match="rows of another experiment"):
        verdict.update(tmp_path, "bandits", rows("unseen_tasks", 1))


def test_update_is_atomic(tmp_path, monkeypatch):
    verdict.update(tmp_path, "bandits", rows("bandits", 2))
    before = (tmp_path / verdict.FILE).read_bytes()

    def broken(self, path, **kwargs):
        with open(path, "w") as f:
            f.write("claim,half a ta")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        verdict.update(tmp_path, "unseen_tasks", rows("unseen_tasks", 1))
    monkeypatch.undo()
    assert (tmp_path / verdict.FILE).read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [verdict.FILE]  # no temporary file left


def test_read_reports_missing_or_malformed_tables(tmp_path):
    with pytest.raises(FileNotFoundError, match="no claims table"):
        verdict.read(tmp_path)
    pd.DataFrame({"claim": ["x"]}).to_csv(tmp_path / verdict.FILE, index=False)
    with pytest.raises(ValueError, match="lacks the columns"):
        verdict.read(tmp_path)


def test_row_records_its_direction_and_z():
    r = verdict.row("c", "e", "m", [1.0, 1.1, 0.9], (2.0, 0.0), "lower", "smoke")
    # effect 1.0 in the claimed direction, SE = std([1, 1.1, 0.9]) / sqrt(3) = 0.1 / sqrt(3)
    assert r["direction"] == "lower"
    assert r["z"] == pytest.approx(1.0 / (0.1 / math.sqrt(3)))
    assert r["verdict"] == "reproduced"
    up = verdict.row("c", "e", "m", [1.0, 1.1, 0.9], (2.0, 0.0), "higher", "smoke")
    assert up["z"] == pytest.approx(-r["z"]) and up["verdict"] == "not_reproduced"
    assert list(verdict.table([r]).columns) == list(verdict.COLUMNS)
    assert verdict.title("bandits") != "bandits" and verdict.title("new_one") == "New one"


def test_a_table_written_before_direction_and_z_reads_with_them_empty(tmp_path):
    old = rows("bandits", 2).drop(columns=["direction", "z", "min_effect"])
    old.to_csv(tmp_path / verdict.FILE, index=False)
    df = verdict.read(tmp_path)
    assert list(df.columns) == list(verdict.COLUMNS)
    assert df["direction"].isna().all() and df["z"].isna().all()
    assert list(df["claim"]) == list(old["claim"])


def test_a_stated_smallest_effect_is_applied():
    """z >= 2 is not enough where a claim states the smallest effect that matters: an effect
    below it beyond 2 standard errors is not_reproduced, near it inconclusive."""
    v = verdict.verdict
    # Acrobot today: -499.1 against -500, z about 2.1, REINFORCE 60 above random: min effect 6
    least = verdict.min_effect(-440.0, -500.0)
    assert least == pytest.approx(6.0)
    assert v(-499.1, 0.3, -500.0, 0.3, "higher", 3) == "reproduced"
    assert v(-499.1, 0.3, -500.0, 0.3, "higher", 3, least) == "not_reproduced"
    assert v(-495.0, 0.8, -500.0, 0.3, "higher", 3, least) == "inconclusive"  # 5 +- 0.85 vs 6
    assert v(-490.0, 0.8, -500.0, 0.3, "higher", 3, least) == "reproduced"
    assert v(-510.0, 0.8, -500.0, 0.3, "higher", 3, least) == "not_reproduced"  # z <= -2
    assert v(1.0, 0.1, 2.0, 0.1, "lower", 3, 0.5) == "reproduced"  # effect 1 in direction lower
    assert verdict.min_effect(-520.0, -500.0) == 0.0  # REINFORCE below random: any effect counts
    assert verdict.min_effect(1.0, 2.0, "lower") == pytest.approx(0.1)
    r = verdict.row("c", "e", "m", [-499.0, -499.2, -499.1], (-500.0, 0.3), "higher", "lite", least)
    assert r["min_effect"] == pytest.approx(6.0) and r["verdict"] == "not_reproduced"
    assert math.isnan(verdict.row("c", "e", "m", [1, 2, 3], (0, 0.1), "higher", "x")["min_effect"])
