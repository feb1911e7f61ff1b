"""The unseen_observations notebook runs end to end with papermill in the smoke preset."""

from pathlib import Path

import numpy as np
import pandas as pd
import papermill
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "unseen_observations.ipynb"


def run(tmp_path, **params):
    dirs = {k: str(tmp_path / k) for k in ("results", "figures", "checkpoints")}
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "out.ipynb"),
        parameters=dict(
            {"preset": "smoke"},
            results_dir=dirs["results"],
            figures_dir=dirs["figures"],
            checkpoint_dir=dirs["checkpoints"],
            **params,
        ),
        kernel_name="python3",
        cwd=str(ROOT),
        progress_bar=False,
    )
    return {k: Path(v) for k, v in dirs.items()}


def figures_exist(d, stem):
    for ext in ("png", "pdf"):
        assert (d["figures"] / f"{stem}.{ext}").stat().st_size > 1000
    assert (d["results"] / "outputs" / "unseen_observations.json").exists()


def test_unseen_observations_notebook_smoke(tmp_path):
    d = run(tmp_path)
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
    figures_exist(d, "unseen_observations")


def test_unseen_observations_rejects_bad_preset(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="unknown value"):
        run(tmp_path, preset="huge")
