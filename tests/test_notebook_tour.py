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
    for stem in ("tour_regret", "tour_inside", "tour_explore"):
        assert (d["figures"] / f"{stem}.png").stat().st_size > 1000
    assert (d["results"] / "outputs" / "tour.json").exists()
    # the explorer's static default: the `probs` lifetime, actions in order, and its controls
    e = pd.read_csv(d["results"] / "tour_explore.csv")
    assert len(e) == 100 and not e["permuted"].any()
    pd.testing.assert_series_equal(e["arm"], t["action"], check_names=False)
    nb = (d["results"].parent / "tour_out.ipynb").read_text()
    assert "application/vnd.jupyter.widget-view+json" in nb and "pulled the best arm" in nb


def test_tour_notebook_rejects_bad_probs(run_notebook):
    with pytest.raises(papermill.PapermillExecutionError, match="probs"):
        run_notebook("tour", probs=[0.5, 1.5])


def _shipped():
    from symla_lite.experiments import tour

    params, agent, _ = tour.load_shipped("symla")
    return tour, agent, params


def test_explore_pulls_arms_by_the_order_shown_and_sums_the_regret():
    import jax

    tour, agent, params = _shipped()
    probs = [0.2, 0.9, 0.5]
    key = jax.random.key(3)
    plain = tour.explore(agent, params, probs, False, key, 40)
    assert list(plain.columns) == ["step", "arm", "reward", "prob_0", "prob_1", "prob_2",
                                   "regret", "permuted"]  # fmt: skip
    np.testing.assert_allclose(plain[["prob_0", "prob_1", "prob_2"]].sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(plain["regret"], np.cumsum(0.9 - np.take(probs, plain["arm"])),
                               rtol=1e-6)  # fmt: skip
    mixed = tour.explore(agent, params, probs, True, key, 40)
    assert mixed["permuted"].all() and set(mixed["arm"]) <= {0, 1, 2}
    # the permutation only relabels: the learner's own view is the plain run on permuted payouts
    perm = np.asarray(jax.random.permutation(jax.random.fold_in(key, 1), 3))
    own, _ = tour.trace_lifetime(agent, params, np.take(probs, perm), key, 40)
    np.testing.assert_array_equal(mixed["arm"], perm[own["action"]])
    for a, j in enumerate(perm):
        np.testing.assert_array_equal(mixed[f"prob_{j}"], own[f"prob_{a}"])
    same = tour.explore(agent, params, [0.4, 0.4], False, key, 10)
    assert (same["regret"] == 0).all()  # equal arms: no regret, whatever is pulled
    assert "arm 1, p = 0.90" in tour.explore_words(plain, probs)


def test_explorer_redraws_on_a_change_and_shows_only_the_arms_in_play():
    import jax

    from symla_lite.plots import tour as plots

    tour, agent, params = _shipped()
    drawn = []

    def draw(frame, probs):
        drawn.append((len(probs), bool(frame["permuted"].iloc[0])))
        return plots.plot_explore(frame, probs)

    box = plots.explorer(agent, params, [0.3, 0.7], jax.random.key(0), 20, draw)
    assert drawn == []  # the default is the notebook's static figure
    n, permute = box.children[0].children
    sliders = [*box.children[1].children, *box.children[2].children]
    assert [s.layout.display for s in sliders] == [None, None] + ["none"] * (tour.MAX_ARMS - 2)
    n.value = 3
    permute.value = True
    assert drawn == [(3, False), (3, True)]
    assert [s.layout.display for s in sliders][:4] == [None, None, None, "none"]
