"""The unseen_observations notebook runs end to end with papermill in the smoke preset."""

import numpy as np
import pandas as pd
import papermill
import pytest


def test_unseen_observations_notebook_smoke(run_notebook, check_figure_and_record):
    d = run_notebook("unseen_observations")
    df = pd.read_csv(d["results"] / "unseen_observations.csv")
    cols = ["method", "setting", "return_mean", "return_sem", "n_lifetimes", "lifetime", "preset"]
    assert set(cols) <= set(df.columns)
    assert set(df["method"]) == {"symla", "metarnn", "random"}
    assert set(df["setting"]) == {"as_trained", "obs_permuted", "actions_permuted", "both_permuted"}
    assert len(df) == 12 and (df["preset"] == "smoke").all()
    # a CartPole lifetime returns L minus the number of falls
    assert ((df["return_mean"] > 0) & (df["return_mean"] <= df["lifetime"])).all()
    sym = df[df["method"] == "symla"].set_index("setting")["return_mean"]
    assert sym["obs_permuted"] == pytest.approx(sym["as_trained"], abs=1e-6)  # exact invariance
    hist = pd.read_csv(d["results"] / "unseen_observations_training.csv")
    assert np.isfinite(hist["mean_fitness"]).all()
    check_figure_and_record(d, "unseen_observations")


def test_unseen_observations_rejects_bad_preset(run_notebook):
    with pytest.raises(papermill.PapermillExecutionError, match="unknown value"):
        run_notebook("unseen_observations", preset="huge")
