"""The generalist notebook runs end to end with papermill in the smoke preset."""

import json

import numpy as np
import pandas as pd
import papermill
import pytest

from symla_lite import verdict
from symla_lite.envs.mixture import FAMILIES

CLAIMS = (
    "SymLA's return per episode rises over the lifetime",
    "SymLA ends above random",
    "SymLA ends above MetaRNN at equal inputs",
)


@pytest.mark.heavy
def test_generalist_notebook_smoke(run_notebook, check_figure_and_record, tmp_path):
    d = run_notebook("generalist", env_ids=["CartPole-v1"], reinforce_lrs=[0.1])
    res = d["results"]
    lives = pd.read_csv(res / "generalist_lifetimes.csv")
    methods = {"symla", "metarnn", "symla_grid", "random", "reinforce"}
    assert set(lives["method"]) == methods and set(lives["env"]) == {"CartPole-v1"}
    for m in ("symla", "metarnn", "symla_grid"):  # meta-learned: 3 seeds each
        assert sorted(lives.loc[lives["method"] == m, "seed"].unique()) == [0, 1, 2]
    counts = lives.groupby(["method", "seed"], dropna=False).size()  # the same test lifetimes
    assert counts.nunique() == 1 and len(counts) == 3 * 3 + 2
    ind = pd.read_csv(res / "generalist_in_distribution.csv")
    assert set(ind["family"]) == set(FAMILIES) and set(ind["method"]) == {
        "symla",
        "metarnn",
        "random",
    }
    assert np.isfinite(ind["score"]).all() and len(ind) == (3 + 3 + 1) * len(FAMILIES)
    train = pd.read_csv(res / "generalist_training.csv")
    assert set(train["method"]) == {"symla", "metarnn"} and sorted(train["seed"].unique()) == [
        0,
        1,
        2,
    ]
    claims = pd.read_csv(res / f"generalist{verdict.SUFFIX}")
    assert list(claims.columns) == list(verdict.COLUMNS)
    assert list(claims["claim"]) == [f"mixture -> CartPole: {c}" for c in CLAIMS]
    assert (claims["n_seeds"] >= 3).all() and (claims["experiment"] == "generalist").all()
    # the transfer claims state the smallest effect that matters; the MetaRNN comparison none
    assert (
        np.isfinite(claims["min_effect"].iloc[:2]).all() and (claims["min_effect"][:2] >= 0).all()
    )
    assert np.isnan(claims["min_effect"].iloc[2])
    check_figure_and_record(d, "generalist")
    assert (d["figures"] / "generalist_in_distribution.png").stat().st_size > 1000
    nb = json.loads((tmp_path / "generalist_out.ipynb").read_text())
    images = [
        o for c in nb["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert len(images) == 2  # both figures shown inline


def test_generalist_rejects_a_held_out_env_list_it_cannot_test(run_notebook):
    with pytest.raises(papermill.PapermillExecutionError, match="unknown value"):
        run_notebook("generalist", env_ids=["Pendulum-v1"])


def test_in_distribution_words_name_the_families_learned():
    from symla_lite.claims import generalist as C

    rows = [dict(method="random", seed=None, family=f, score=0.0) for f in ("a", "b")]
    rows += [dict(method="symla", seed=s, family="a", score=0.5 + 0.01 * s) for s in range(3)]
    rows += [dict(method="symla", seed=s, family="b", score=[-0.2, 0.1, 0.3][s]) for s in range(3)]
    df = pd.DataFrame(rows)
    assert C.learned(df, "symla") == ["a"]
    assert C.in_distribution_words(df) == (
        "- symla: above random by 2 standard errors on 1 of 2 families (a); mean score per "
        "family: a 0.51, b 0.07."
    )
