"""The unseen_observations notebook runs end to end with papermill in the smoke preset."""

import json
from pathlib import Path

import jax
import numpy as np
import pandas as pd
import papermill
import pytest

from symla_lite import presets, verdict
from symla_lite.experiments import unseen_observations

ROOT = Path(__file__).resolve().parents[1]


def ship(folder, preset="standard"):
    """Smoke-trained runs saved as a `preset` batch saves them (fast stand-ins for results/standard)."""
    runs, _, length = unseen_observations.train(
        "smoke", 0, lambda tag: str(folder / "checkpoints" / tag), progress=False
    )
    params = folder / "standard" / unseen_observations.PARAMS
    return runs, length, unseen_observations.save(runs, params, preset, 0, length)


@pytest.mark.heavy
def test_unseen_observations_notebook_smoke(run_notebook, check_figure_and_record, tmp_path):
    _, _, shipped = ship(tmp_path / "shipped")
    d = run_notebook("unseen_observations", standard_dir=str(tmp_path / "shipped" / "standard"))
    df = pd.read_csv(d["results"] / "unseen_observations.csv")
    cols = ["method", "seed", "setting", "return_mean", "return_sem", "n_lifetimes"]
    cols += ["falls_mean", "falls_sem", "lifetime", "preset"]
    assert set(cols) <= set(df.columns)
    assert set(df["method"]) == {"symla", "metarnn", "random"}
    assert set(df["setting"]) == {"as_trained", "obs_permuted", "actions_permuted", "both_permuted"}
    # per-seed rows: 3 meta-training seeds per method and setting, the random policy without one
    for method in ("symla", "metarnn"):
        sub = df[df["method"] == method]
        assert sub["seed"].notna().all() and sub["seed"].nunique() == 3
        assert (sub.groupby("setting")["seed"].nunique() == 3).all()
    assert df[df["method"] == "random"]["seed"].isna().all()
    assert len(df) == (2 * 3 + 1) * 4 and (df["preset"] == "smoke").all()
    # a CartPole lifetime returns L minus the number of falls
    assert ((df["return_mean"] > 0) & (df["return_mean"] <= df["lifetime"])).all()
    np.testing.assert_allclose(df["return_mean"] + df["falls_mean"], df["lifetime"])
    sym = df[df["method"] == "symla"].set_index(["setting", "seed"])["return_mean"]
    # exact invariance, seed by seed
    np.testing.assert_allclose(sym["obs_permuted"], sym["as_trained"], atol=1e-6)
    hist = pd.read_csv(d["results"] / "unseen_observations_training.csv")
    assert np.isfinite(hist["mean_fitness"]).all()
    assert set(hist["seed"]) == {0, 1, 2}
    claims = pd.read_csv(d["results"] / "unseen_observations_claims.csv")
    assert list(claims.columns) == list(verdict.COLUMNS)
    assert (claims["experiment"] == "unseen_observations").all()
    assert set(claims["preset"]) == {"smoke", "standard"} and (claims["n_seeds"] >= 3).all()
    assert set(claims["verdict"]) <= set(verdict.VERDICTS)
    names = " | ".join(claims["claim"])
    for what in ("observations permuted", "actions permuted", "falls per lifetime below random"):
        assert what in names
    obs = claims[claims["claim"].str.startswith("observations permuted")].iloc[0]
    assert obs["symla"] == pytest.approx(0.0, abs=1e-6)  # SymLA's return does not move
    check_figure_and_record(d, "unseen_observations")
    parts = pd.read_csv(d["results"] / "unseen_observations_parts.csv")
    assert len(parts) == len(df) * unseen_observations.PARTS
    per_run = parts.groupby(["method", "seed", "setting"], dropna=False)
    assert (per_run["steps"].sum() == 50).all()  # the smoke lifetime, split into parts
    falls = per_run["falls_mean"].sum().rename("parts").reset_index()
    both = falls.merge(df, on=["method", "seed", "setting"])
    np.testing.assert_allclose(both["parts"], both["falls_mean"])
    for ext in ("png", "pdf"):
        assert (d["figures"] / f"unseen_observations_parts.{ext}").stat().st_size > 1000
    assert not (d["results"] / unseen_observations.PARAMS).exists()  # smoke ships, keeps none
    # the shipped standard meta-parameters, meta-tested: their rows, figure, claims and inputs
    std = pd.read_csv(d["results"] / "unseen_observations_standard.csv")
    assert (std["preset"] == "standard").all() and list(std.columns) == list(df.columns)
    assert len(std) == len(df) and set(std["seed"].dropna()) == {0, 1, 2}
    assert (d["results"] / "unseen_observations_standard_parts.csv").exists()
    for ext in ("png", "pdf"):
        assert (d["figures"] / f"unseen_observations_standard.{ext}").stat().st_size > 1000
    at_std = claims[claims["preset"] == "standard"]
    assert len(at_std) == len(claims) / 2
    assert at_std["claim"].str.endswith(" (standard preset)").all()
    record = json.loads((d["results"] / "outputs" / "unseen_observations.json").read_text())
    assert sorted(record["inputs"]) == sorted(map(str, shipped))


def test_falls_per_part_splits_the_lifetime_in_order():
    falls = np.zeros((2, 10))
    falls[0, [0, 4, 9]] = 1
    falls[1, 5] = 1
    per_part, steps = unseen_observations.falls_per_part(falls, 4)
    assert steps == [3, 3, 2, 2]
    np.testing.assert_array_equal(per_part, [[1, 1, 0, 1], [0, 1, 0, 0]])


def test_unseen_observations_rejects_bad_preset(run_notebook):
    with pytest.raises(papermill.PapermillExecutionError, match="unknown value"):
        run_notebook("unseen_observations", preset="huge")


def test_saved_meta_parameters_load_as_one_batch(tmp_path):
    runs, length, files = ship(tmp_path)
    folder = files[0].parent
    assert sorted(p.name for p in files) == sorted(
        f"{m}_seed{s}.npz" for m in unseen_observations.METHODS for s in (0, 1, 2)
    )
    got = unseen_observations.load(folder)
    assert (got["lifetime"], got["seed"], got["files"]) == (length, 0, sorted(files))
    for (m, s, _, a), (m2, s2, agent, b) in zip(runs, got["runs"], strict=True):
        assert (m, s) == (m2, s2) and agent.name == m
        assert all(np.array_equal(x, y) for x, y in zip(*map(jax.tree.leaves, (a, b))))
    with pytest.raises(FileNotFoundError, match="--preset standard --only unseen_observations"):
        unseen_observations.load(tmp_path / "nothing")
    with pytest.raises(ValueError, match="at preset 'paper'"):
        unseen_observations.load(folder, preset="paper")
    files[0].unlink()  # one run fewer (SymLA seed 0): still one batch
    assert len(unseen_observations.load(folder)["runs"]) == 5
    for p in files[1:]:
        if p.name.startswith("metarnn"):
            p.unlink()
    with pytest.raises(ValueError, match="one batch's"):
        unseen_observations.load(folder)
    assert unseen_observations.shipped("standard", folder) is None  # its own run is the budget


def test_the_shipped_standard_meta_parameters_are_one_standard_batch():
    # what the default batch meta-tests: `./run_all.sh --preset standard --only unseen_observations`
    folder = ROOT / "results" / "standard" / unseen_observations.PARAMS
    found = unseen_observations.load(folder)
    fields, n_seeds = presets.experiment("standard", "unseen_observations")
    assert found["lifetime"] == fields["lifetime"] and found["seed"] == 0
    assert [(m, s) for m, s, _, _ in found["runs"]] == [
        (m, s) for m in unseen_observations.METHODS for s in presets.seeds(0, n_seeds)
    ]
