"""The unseen_environments notebook runs end to end with papermill in the smoke preset."""

import numpy as np
import pandas as pd
import papermill
import pytest


def test_unseen_environments_notebook_smoke(run_notebook, check_figure_and_record):
    d = run_notebook("unseen_environments", env_ids=["CartPole-v1"], reinforce_lrs=[0.01, 0.1])
    ep = pd.read_csv(d["results"] / "unseen_environments.csv")
    cols = ["env", "method", "episode", "return_mean", "return_sem", "n_lifetimes"]
    assert set(cols) <= set(ep.columns)
    assert set(ep["method"]) == {"symla", "random", "reinforce"} and set(ep["env"]) == {
        "CartPole-v1"
    }
    # CartPole episodes pay 1 per step but 0 on the fall: returns >= 0, below the time limit
    assert ((ep["return_mean"] >= 0) & (ep["return_mean"] < 500)).all()
    assert (ep.groupby("method")["episode"].min() == 0).all()
    lr = pd.read_csv(d["results"] / "unseen_environments_reinforce_lr.csv")
    assert sorted(lr["lr"]) == [0.01, 0.1] and np.isfinite(lr["return_mean"]).all()
    check_figure_and_record(d, "unseen_environments")


def test_unseen_environments_rejects_unknown_env(run_notebook):
    with pytest.raises(papermill.PapermillExecutionError, match="unknown value"):
        run_notebook("unseen_environments", env_ids=["Pendulum-v1"])
