"""The tour notebook runs end to end with papermill in the smoke preset."""

import numpy as np
import pandas as pd
import papermill
import pytest


@pytest.mark.heavy
def test_tour_notebook_smoke(run_notebook):
    d = run_notebook("tour", n_test=300)
    s = pd.read_csv(d["results"] / "tour_regret.csv")
    assert {"method", "test_dist", "horizon", "regret_mean", "regret_sem", "n_lifetimes"} <= set(
        s.columns
    )
    assert len(s) == 4 and s["method"].iloc[-1] == "thompson" and (s["n_lifetimes"] == 300).all()
    horizon = int(s["horizon"].iloc[0])
    assert ((s["regret_mean"] > 0) & (s["regret_mean"] < horizon)).all()
    # the shipped (lite) SymLA beats Thompson sampling on its own distribution, as its README says
    shipped = s[s["method"].str.startswith("symla (shipped")]["regret_mean"].iloc[0]
    assert shipped < s[s["method"] == "thompson"]["regret_mean"].iloc[0]
    t = pd.read_csv(d["results"] / "tour_lifetime.csv")
    assert len(t) == 100 and set(t["action"]) <= {0, 1}
    np.testing.assert_allclose(t["prob_0"] + t["prob_1"], 1.0, atol=1e-5)
    assert t["h_norm_1"].std() > 0  # the per-weight LSTM state moves during the lifetime
    for stem in ("tour_regret", "tour_inside"):
        assert (d["figures"] / f"{stem}.png").stat().st_size > 1000
    assert (d["results"] / "outputs" / "tour.json").exists()


def test_tour_notebook_rejects_bad_probs(run_notebook):
    with pytest.raises(papermill.PapermillExecutionError, match="probs"):
        run_notebook("tour", probs=[0.5, 1.5])
