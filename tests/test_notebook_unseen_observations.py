"""The unseen_observations notebook runs end to end with papermill in the smoke preset."""

import numpy as np
import pandas as pd
import papermill
import pytest

from symla_lite import verdict
from symla_lite.experiments import unseen_observations


def test_unseen_observations_notebook_smoke(run_notebook, check_figure_and_record):
    d = run_notebook("unseen_observations")
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
    assert (claims["preset"] == "smoke").all() and (claims["n_seeds"] >= 3).all()
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
