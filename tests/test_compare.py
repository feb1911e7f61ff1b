"""python -m symla_lite.compare: two results folders agree or not, claim by claim and per seed."""

import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from symla_lite import compare, verdict

ROOT = Path(__file__).resolve().parents[1]


def claims() -> pd.DataFrame:
    rows = [
        verdict.row("regret below Thompson", "bandits", "regret", [1.0, 1.1, 0.9], (2.0, 0.05),
                    "lower", "smoke"),
        verdict.row("return above MetaRNN", "unseen_observations", "return", [150.0, 160.0, 170.0],
                    verdict.across([140.0, 150.0, 160.0]), "higher", "smoke"),
        verdict.row("fewer traps", "unseen_tasks", "traps", [3.0, 2.0, 2.5], (5.0, 0.4),
                    "lower", "smoke"),
    ]  # fmt: skip
    return verdict.table(rows)


def per_seed(shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for method in ("symla", "metarnn"):
        for seed in (0, 1, 2):
            for generation in range(4):
                rows.append(
                    dict(method=method, seed=seed, generation=generation,
                         fitness=rng.normal(10.0, 1.0) + shift, sem=0.1)
                )  # fmt: skip
    rows.append(dict(method="random", seed=pd.NA, generation=0, fitness=1.0, sem=0.2))
    df = pd.DataFrame(rows)
    df["seed"] = df["seed"].astype("Int64")
    return df


def folder(path: Path, table: pd.DataFrame | None = None, shift: float = 0.0) -> Path:
    path.mkdir(parents=True)
    (claims() if table is None else table).to_csv(path / verdict.FILE, index=False)
    per_seed(shift).to_csv(path / "exp_training.csv", index=False)
    pd.DataFrame({"x": [1.0]}).to_csv(path / "no_seed.csv", index=False)
    return path


def run(a, b) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "symla_lite.compare", str(a), str(b)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,  # a hang guard only
    )  # fmt: skip


def test_copies_agree(tmp_path):
    a = folder(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    proc = run(a, b)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 of 3 claims agree" in proc.stdout
    assert "exp_training.csv" in proc.stdout and "no_seed.csv" not in proc.stdout
    per_csv, _ = compare.compare_csvs(a, b)
    r = per_csv.set_index("csv").loc["exp_training.csv"]
    assert r["rows"] == 25 and r["only_a"] == 0 and r["only_b"] == 0
    assert r["equal"] == 25 * 2 and r["differ"] == 0
    assert r["z_tested"] == 2 * 4 * 2 and r["z_outside"] == 0  # method x generation x column
    assert r["keys"] == "method generation"


def test_small_perturbations_within_the_errors_agree(tmp_path):
    t = claims()
    t["symla"] += 0.5 * t["symla_sem"]
    t["baseline"] -= 0.5 * t["baseline_sem"]
    a, b = folder(tmp_path / "a"), folder(tmp_path / "b", t, shift=1e-3)
    proc = run(a, b)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    per_csv, _ = compare.compare_csvs(a, b)
    r = per_csv.iloc[0]
    assert r["differ"] == 24 and r["equal"] == 26  # fitness shifted except the random row
    assert r["z_outside"] == 0


def test_a_flipped_verdict_disagrees(tmp_path):
    t = claims()
    t.loc[2, "verdict"] = (
        "not_reproduced" if t.loc[2, "verdict"] != "not_reproduced" else "reproduced"
    )
    proc = run(folder(tmp_path / "a"), folder(tmp_path / "b", t))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "2 of 3 claims agree" in proc.stdout and "differs: fewer traps" in proc.stdout


def test_an_effect_beyond_the_critical_value_disagrees(tmp_path):
    t = claims()
    se = math.hypot(t.loc[1, "symla_sem"], t.loc[1, "baseline_sem"])  # the effect's
    t.loc[1, "baseline"] += 4 * math.sqrt(2) * se
    a, b = folder(tmp_path / "a"), folder(tmp_path / "b", t, shift=5.0)
    proc = run(a, b)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "differs: return above MetaRNN" in proc.stdout
    row = compare.compare_claims(claims(), t).set_index("claim").loc["return above MetaRNN"]
    assert row["z_effect"] == pytest.approx(4.0) and row["z_symla"] == 0
    assert row["critical"] == pytest.approx(2.776, abs=1e-3)  # 3 seeds a side, equal spread
    assert compare.compare_csvs(a, b)[0].iloc[0]["z_outside"] == 2 * 4  # fitness only


def test_a_near_zero_value_may_move_beyond_its_spread_if_the_effect_agrees():
    # SymLA's drop under a permutation it is invariant to: float32 rounding alone, 1% of MetaRNN's
    a, b = claims(), claims()
    for t, (drop, sem) in ((a, (0.010, 0.021)), (b, (0.120, 0.010))):
        t.loc[1, ["symla", "symla_sem", "baseline", "baseline_sem"]] = [drop, sem, 10.0, 0.068]
    row = compare.compare_claims(a, b).iloc[1]
    assert row["z_symla"] == pytest.approx(-4.73, abs=0.01) and row["agree"]
    assert abs(row["z_effect"]) < 2


def test_claims_in_one_folder_only_disagree(tmp_path):
    t = claims().iloc[:2]
    proc = run(folder(tmp_path / "a"), folder(tmp_path / "b", t))
    assert proc.returncode == 1
    assert "(absent)" in proc.stdout and "differs: fewer traps" in proc.stdout


def test_missing_folder_or_claims_is_bad_input(tmp_path):
    a = folder(tmp_path / "a")
    proc = run(a, tmp_path / "nowhere")
    assert proc.returncode == 2 and "no results folder" in proc.stderr
    (tmp_path / "empty").mkdir()
    proc = run(tmp_path / "empty", a)
    assert proc.returncode == 2 and "no claims table" in proc.stderr


def test_z_between():
    z = compare.z_between
    assert z(1.0, 0.0, 1.0, 0.0) == 0 and z(1.0, math.nan, 1.0, math.nan) == 0
    assert z(math.nan, 1.0, math.nan, 1.0) == 0
    assert math.isnan(z(1.0, math.nan, 2.0, 0.1)) and z(2.0, 0.0, 1.0, 0.0) == math.inf
    assert z(2.0, 0.3, 1.0, 0.4) == pytest.approx(2.0)
    assert compare.agrees(2.0, 2.0) and not compare.agrees(2.01, 2.0)
    assert not compare.agrees(math.nan, 2.0)


def test_critical_value_is_welchs():
    crit = compare.critical
    assert crit(0.1, 0.1, 3, 3) == pytest.approx(2.776, abs=1e-3)  # 4 degrees of freedom
    assert crit(0.1, 0.0, 3, 3) == pytest.approx(4.303, abs=1e-3)  # 2: one side's spread only
    assert crit(0.1, 0.1, 10_000, 10_000) == pytest.approx(1.960, abs=1e-3)
    assert crit(0.0, 0.0, 3, 3) == pytest.approx(1.960, abs=1e-3)
    # between 1.96 and 2.776: within the critical value at 3 seeds, beyond it at many
    t = claims()
    moved = t.copy()
    se = math.hypot(t.loc[0, "symla_sem"], t.loc[0, "baseline_sem"])
    moved.loc[0, "symla"] += 2.5 * math.sqrt(2) * se
    row = compare.compare_claims(t, moved).iloc[0]
    assert row["z_effect"] == pytest.approx(-2.5) and row["agree"]
    t["n_seeds"] = moved["n_seeds"] = 10_000
    assert not compare.compare_claims(t, moved).iloc[0]["agree"]


def test_false_alarm_rate_at_three_seeds():
    # two folders of 3 seeds from one normal distribution: a fixed |z| <= 2 calls about 12% of
    # them different; Welch's critical value about 4%
    rng = np.random.default_rng(0)
    n, draws = 3, 20_000
    a, b = rng.normal(size=(2, draws, n))
    sem_a, sem_b = a.std(1, ddof=1) / np.sqrt(n), b.std(1, ddof=1) / np.sqrt(n)
    z = (a.mean(1) - b.mean(1)) / np.hypot(sem_a, sem_b)
    fixed = np.mean(np.abs(z) > 2)
    crit = [compare.critical(sa, sb, n, n) for sa, sb in zip(sem_a, sem_b, strict=True)]
    welch = 1 - np.mean([compare.agrees(zi, c) for zi, c in zip(z, crit, strict=True)])
    assert 0.10 < fixed < 0.14 and 0.02 < welch < 0.06
