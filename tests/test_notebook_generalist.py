"""The generalist notebook runs end to end with papermill in the smoke preset."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import papermill
import pytest
import stand_ins

from symla_lite import presets, transfer, verdict
from symla_lite.envs.mixture import FAMILIES
from symla_lite.experiments import generalist

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = (
    "SymLA's return per episode rises over the lifetime",
    "SymLA ends above random",
    "SymLA ends above MetaRNN at equal inputs",
)


@pytest.mark.heavy
def test_generalist_notebook_smoke(run_notebook, check_figure_and_record, tmp_path):
    files = stand_ins.generalists(tmp_path / "standard")
    files += stand_ins.diversity_points(tmp_path / "standard")
    d = run_notebook(
        "generalist",
        env_ids=["CartPole-v1"],
        reinforce_lrs=[0.1],
        standard_dir=str(tmp_path / "standard"),
    )
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
    names = [f"mixture -> CartPole: {c}" for c in CLAIMS]
    assert list(claims["claim"]) == names + [f"{c} (standard preset)" for c in names]
    assert list(claims["preset"]) == ["smoke"] * 3 + ["standard"] * 3
    claims = claims.iloc[:3]
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
    assert len(images) == 5  # every figure shown inline
    # the budget curve: every milestone of the shipped run, per env, learner and seed
    curve = pd.read_csv(res / "generalist_budget.csv")
    learned = curve[curve["generations"].notna()]
    assert set(learned["generations"]) == {1, 3} and set(learned["method"]) == set(
        generalist.LEARNERS
    )
    assert len(learned) == 2 * 2 * 3 and set(curve.loc[curve["generations"].isna(), "method"]) == {
        "random",
        "reinforce",
    }
    # the shipped standard meta-parameters, meta-tested: tables as the lite ones, figure, inputs
    std = pd.read_csv(res / "generalist_standard_lifetimes.csv")
    assert list(std.columns) == list(lives.columns) and (std["preset"] == "standard").all()
    assert set(std["method"]) == {"symla", "metarnn", "random", "reinforce"}
    ind_std = pd.read_csv(res / "generalist_standard_in_distribution.csv")
    assert (ind_std["lifetime"] == 50).all() and len(ind_std) == len(ind)
    assert (d["figures"] / "generalist_standard.png").stat().st_size > 1000
    # the diversity curve: the shipped points meta-tested on CartPole, the standard run's atlas
    div = pd.read_csv(res / "generalist_diversity.csv")
    assert len(div[div["point"].notna()]) == 8 * 2 * 3 and (div["preset"] == "smoke").all()
    assert (d["figures"] / "generalist_diversity.png").stat().st_size > 1000
    record = json.loads((res / "outputs" / "generalist.json").read_text())
    assert {str(p) for p in files} <= set(record["inputs"])


def test_generalist_needs_the_shipped_meta_parameters_before_any_work(run_notebook, tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="--only generalist"):
        run_notebook("generalist", standard_dir=str(tmp_path / "nothing"))


def test_the_shipped_generalists_are_one_standard_batch():
    # what the default batch meta-tests: `./run_all.sh --preset standard --only generalist`
    found = generalist.load(ROOT / "results" / "standard" / generalist.PARAMS)
    fields, n_seeds = presets.experiment("standard", generalist.EXPERIMENT)
    lifetime = {**presets.preset("standard", "rl"), **fields}["lifetime"]
    assert found["seed"] == 0 and found["lifetime"] == lifetime
    assert sorted(found["kept"]) == transfer.milestones("standard")
    for runs in found["kept"].values():
        assert [(m, s) for m, s, _, _ in runs] == [
            (m, s) for m in generalist.LEARNERS for s in presets.seeds(0, n_seeds)
        ]


def test_load_reads_every_milestone_and_names_what_is_wrong(tmp_path):
    files = stand_ins.generalists(tmp_path)
    folder = tmp_path / generalist.PARAMS
    found = generalist.load(folder)
    assert sorted(found["kept"]) == [1, 3] and (found["lifetime"], found["seed"]) == (50, 0)
    assert sorted(found["files"]) == sorted(files) and len(files) == 2 * 2 * 3
    assert [(m, s) for m, s, _, _ in found["kept"][3]] == [
        (m, s) for m in generalist.LEARNERS for s in range(3)
    ]
    with pytest.raises(FileNotFoundError, match="--preset standard --only generalist"):
        generalist.load(tmp_path / "nothing")
    with pytest.raises(ValueError, match="at preset 'paper'"):
        generalist.load(folder, preset="paper")
    runs = found["kept"][1]
    generalist.save({1: runs}, tmp_path / "other", "standard", 5, 50)
    (folder / "g1").rename(tmp_path / "old_g1")
    (tmp_path / "other" / "g1").rename(folder / "g1")  # milestone 1 of another run (base seed 5)
    with pytest.raises(ValueError, match="not one run's"):
        generalist.load(folder)


def test_budget_targets_are_random_plus_the_smallest_effect_and_none_without_one():
    from symla_lite.claims import generalist as C

    rows = [
        dict(env="A", method="random", seed=None, generations=None, late=10.0, gain=0.0),
        dict(env="A", method="reinforce", seed=None, generations=None, late=30.0, gain=5.0),
        dict(env="B", method="random", seed=None, generations=None, late=-5.0, gain=0.0),
        dict(env="B", method="reinforce", seed=None, generations=None, late=-6.0, gain=0.0),
    ]
    rows += [
        dict(env=e, method="symla", seed=s, generations=g, late=10.0 + g / 100 + s, gain=0.1 * s)
        for e in ("A", "B") for s in range(3) for g in (100, 200, 400)
    ]  # fmt: skip
    df = pd.DataFrame(rows).astype({"generations": "Int64", "seed": "Int64"})
    assert C.budget_targets(df) == {"late": {"A": 12.0}, "gain": {"A": 0.5}}
    ext = C.budget_extrapolated(df)
    assert list(ext["setting"]) == ["A", "A"] and list(ext["column"]) == ["late", "gain"]
    late = ext[ext["column"] == "late"].iloc[0]  # 11 + g / 100 per seed: +1 at 100 -> 200
    assert late["score"] == 15.0 and late["needed"] == 400  # already at the target
    assert C.budget_words(df).endswith(
        "No target on B: REINFORCE does not beat random there either."
    )
