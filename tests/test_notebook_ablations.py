"""The ablations notebook runs end to end with papermill in the smoke preset."""

import dataclasses

import jax
import numpy as np
import pandas as pd
import pytest

from symla_lite import ablation_plan, budget, io, meta, notebook
from symla_lite.experiments import ablations


def extrapolate(df):
    return budget.extrapolate(df, ablations.BUDGET_TARGETS, ablations.SETTINGS)


@pytest.mark.heavy
def test_ablations_notebook_smoke(run_notebook):
    d = run_notebook("ablations")
    tests = pd.read_csv(d["results"] / "ablations.csv")
    plan = ablations.PLAN["smoke"]
    pairs = {(s, v) for s, vs in plan.items() for v in vs}
    assert set(zip(tests["setting"], tests["variant"], strict=True)) == pairs
    assert (tests.groupby(["setting", "variant"])["seed"].nunique() == 3).all()
    grid = tests[tests["setting"] == "grid"]
    # hearts and traps in the second half: at most one object per step
    assert ((grid["hearts_late"] + grid["traps_late"]) <= grid["lifetime"] / 2).all()
    assert (grid["score"] == grid["hearts_late"] - grid["traps_late"]).all()
    cart = tests[tests["setting"] == "cartpole"]
    assert np.allclose(cart["score"], 1 - cart["episodes"] / cart["random_episodes"])
    proj = tests[tests["setting"] == "projgrid"]
    assert proj["transfer_episodes"].notna().all() and tests["transfer_score"].isna().sum() == (
        len(tests) - len(proj)
    )
    assert np.allclose(
        proj["transfer_score"], 1 - proj["transfer_episodes"] / proj["transfer_random_episodes"]
    )
    training = pd.read_csv(d["results"] / "ablations_training.csv")
    assert training.groupby(["setting", "variant", "seed"]).size().nunique() == 1
    assert (training.query("setting == 'cartpole'")["lifetime"] == 50).all()
    # the budget variant: meta-tested at 1, 2 and 3 generations; the last is the whole run's test
    budget = pd.read_csv(d["results"] / "ablations_budget.csv")
    assert set(zip(budget["setting"], budget["variant"], strict=True)) == set(
        ablations.BUDGET["smoke"]
    )
    assert sorted(budget["generation"].unique()) == [1, 2, 3]
    last = budget[budget["generation"] == 3].drop(columns="generation").reset_index(drop=True)
    whole = cart.reset_index(drop=True)[last.columns]
    pd.testing.assert_frame_equal(last, whole, check_dtype=False)
    for name in ("ablations_curves", "ablations_meta_test", "ablations_budget"):
        for ext in ("png", "pdf"):
            assert (d["figures"] / f"{name}.{ext}").stat().st_size > 1000
    assert (d["results"] / "outputs" / "ablations.json").exists()


def test_variants_are_spelled_out_and_checked():
    cfg = ablations.config("smoke", "cartpole", "gates+mean sparse")
    assert cfg.agent_kwargs == {
        **ablation_plan.BASE,
        **ablation_plan.VSML_GATES,
        "message_reduce": "mean",
    }
    assert cfg.env_kwargs == {"reward": "sparse"}
    half = ablations.config("lite", "grid", "gates+mean lr/2")
    assert half.hyper()["lr"] == ablations.presets.preset("lite", "rl")["lr"] / 2
    with pytest.raises(ValueError, match="unknown variant"):
        ablations.config("smoke", "grid", "nope")
    with pytest.raises(ValueError, match="unknown setting"):
        ablations.config("smoke", "pong", "base")
    with pytest.raises(ValueError, match=r"unknown \(setting, variant\)"):
        ablations.run("smoke", 0, plan={"grid": ["nope"]})


def test_scaled_variants_resolve_against_the_preset():
    lite = ablations.presets.preset("lite", "rl")
    x4 = ablations.config("lite", "cartpole", "gates+mean L500 x4").hyper()
    assert (x4["lifetime"], x4["generations"]) == (500, 4 * lite["generations"])
    assert ablations.milestones("lite", "cartpole", "gates+mean L500 x4") == [
        lite["generations"],
        2 * lite["generations"],
        4 * lite["generations"],
    ]
    pop = ablations.config("lite", "cartpole", "gates+mean pop x2").hyper()
    assert (pop["population"], pop["num_evals"]) == (2 * lite["population"], lite["num_evals"] // 2)
    decay = ablations.config("lite", "cartpole", "gates+mean std decay").std_decay
    assert decay ** (lite["generations"] / 2) == pytest.approx(0.5)  # halved every half-run
    bounded = ablations.config("lite", "cartpole", "gates+mean bounded")
    assert bounded.agent_kwargs["readout_bound"] == 2.0
    assert (
        ablations.config("lite", "grid", "gates+mean position").env_kwargs["observe"] == "position"
    )
    assert not set(ablations.GRID_ONLY) & set(ablations.PLAN["paper"]["cartpole"])
    with pytest.raises(ValueError, match="grid settings only"):
        ablations.run("smoke", 0, plan={"cartpole": ["gates+mean 6x6"]})


def test_extrapolate_reads_the_budget_line():
    gens = [100, 200, 400]
    rows = [
        dict(setting="cartpole", variant="v", seed=k, generation=g, score=0.1 * i + 0.01 * k)
        for i, g in enumerate(gens)
        for k in range(3)
    ]
    out = extrapolate(pd.DataFrame(rows)).iloc[0]
    # 0.01 at 100 generations, +0.1 per doubling: 0.5 is reached at 100 * 2 ** 4.9
    assert out["column"] == "score" and out["generations"] == 400
    assert out["slope_per_doubling"] == pytest.approx(0.1)
    assert out["needed"] == pytest.approx(100 * 2**4.9, rel=1e-6)
    flat = extrapolate(pd.DataFrame(rows).assign(score=0.2)).iloc[0]
    assert np.isnan(flat["needed"])
    there = extrapolate(pd.DataFrame(rows).assign(score=0.6)).iloc[0]
    assert there["needed"] == 400 and there["seeds_needed"] == 3  # 0.6 ± 0: already beyond 2 SE
    # mean 0.6, sd 0.1 across 3 seeds: 2 SE above 0.5 needs (2 * 0.1 / 0.1) ** 2 = 4 seeds
    assert budget.seeds_needed(np.array([0.5, 0.6, 0.7]), 0.5) == 4
    assert np.isnan(budget.seeds_needed(np.array([0.3, 0.4]), 0.5))
    text = budget.budget_findings(extrapolate(pd.DataFrame(rows)))
    assert "0.21 ± 0.01 after 400 generations, +0.100 per doubling" in text
    assert f"about {100 * 2**4.9:,.0f} generations (7.5 times" in text
    flat_text = budget.budget_findings(extrapolate(pd.DataFrame(rows).assign(score=0.2)))
    assert "does not grow with the budget" in flat_text


def test_metarnn_variants_get_the_same_es_search_with_its_own_defaults():
    cfg = ablations.config("lite", "grid", "metarnn std/2")
    assert cfg.agent == "metarnn" and cfg.agent_kwargs == {}
    assert cfg.hyper()["std"] == ablations.presets.preset("lite", "rl")["std"] / 2
    assert ablations.config("lite", "cartpole", "gates+mean L500").hyper()["lifetime"] == 500
    assert ablations.milestones("standard", "cartpole", "gates+mean L500") == [100, 200, 400]
    assert ablations.milestones("standard", "cartpole", "base") == [400]


def test_standard_ablation_is_lites_plan_grown_at_lites_sizes():
    lite, standard = ablations.PLAN["lite"], ablations.PLAN["standard"]
    assert all(set(vs) <= set(standard[s]) for s, vs in lite.items())
    assert sum(map(len, standard.values())) > sum(map(len, lite.values()))
    assert set(ablations.BUDGET["lite"]) < set(ablations.BUDGET["standard"])
    for setting, variants in standard.items():
        for variant in variants:
            a = ablations.config("standard", setting, variant)
            b = ablations.config("lite", setting, variant)
            # the same program, so a standard batch resumes the lite batch's checkpoints
            assert a.identity() == b.identity() and a.hyper() == b.hyper()
    assert ablations.train_preset("paper") == "paper"


def test_the_notebooks_checkpoint_folders_follow_the_preset_they_train_at(tmp_path):
    out = notebook.start(
        "ablations", preset="standard", seed=0, results_dir=str(tmp_path / "r"),
        figures_dir=str(tmp_path / "f"), checkpoint_dir=str(tmp_path / "c"),
    )  # fmt: skip
    mine = out.checkpoints("grid-base", preset=ablations.train_preset("standard"))
    assert mine == str(tmp_path / "c" / "ablations" / "lite" / "seed0" / "grid-base")
    theirs = out.checkpoints("symla", notebook="unseen_tasks", preset="lite")
    assert theirs == str(tmp_path / "c" / "unseen_tasks" / "lite" / "seed0" / "symla")
    assert out.checkpoints("x") == str(tmp_path / "c" / "ablations" / "standard" / "seed0" / "x")


def folders(root):
    """checkpoints(tag, notebook=None) as the notebook's Outputs gives it, under `root`."""
    return lambda tag, notebook="ablations": str(root / notebook / tag)


def test_shared_runs_resume_the_experiments_own_checkpoint(tmp_path):
    # cartpole gates+mean is the smoke BUDGET pair and unseen_observations' SymLA run: the ablation
    # writes that experiment's checkpoint (and its milestones), which the experiment then resumes
    seeds = ablations.presets.seeds(0)
    ckpts = folders(tmp_path)
    runs = ablations.train("smoke", "cartpole", "gates+mean", seeds, ckpts, progress=False)
    theirs = tmp_path / "unseen_observations" / "symla"
    assert sorted(p.name for p in theirs.iterdir()) == [
        "checkpoint.pkl", "milestone_1.pkl", "milestone_2.pkl", "milestone_3.pkl"
    ]  # fmt: skip
    assert not (tmp_path / "ablations").exists()
    experiment = meta.TrainConfig(agent="symla", env="CartPole-v1", preset="smoke", family="rl")
    saved = io.load_pickle(theirs / meta.CHECKPOINT)
    assert saved["identity"] == {**experiment.identity(), "seed": seeds}
    resumed = meta.train_auto(
        "symla", "CartPole-v1", preset="smoke", seeds=seeds, family="rl",
        checkpoint_dir=str(theirs), progress=False,
    )  # fmt: skip
    for a, b in zip(runs[3], resumed, strict=True):
        assert all(
            np.array_equal(x, y) for x, y in zip(*map(jax.tree.leaves, (a.params, b.params)))
        )


def test_shared_runs_fall_back_to_their_own_folder(tmp_path):
    seeds = ablations.presets.seeds(0)
    ckpts = folders(tmp_path)
    theirs = tmp_path / "unseen_observations" / "symla"
    meta.train_auto(
        "symla",
        "CartPole-v1",
        preset="smoke",
        seeds=seeds,
        family="rl",
        checkpoint_dir=str(theirs),
        progress=False,
    )  # fmt: skip: the experiment ran first, keeping no milestones
    ms = ablations.milestones("smoke", "cartpole", "gates+mean")
    cfg = ablations.config("smoke", "cartpole", "gates+mean", ckpts("cartpole-gates+mean"))
    assert budget.milestones_recoverable(cfg, ms)  # nothing in the ablation's own folder
    assert not budget.milestones_recoverable(
        dataclasses.replace(cfg, checkpoint_dir=str(theirs)), ms
    )
    assert budget.milestones_recoverable(dataclasses.replace(cfg, checkpoint_dir=str(theirs)), [3])
    assert ablations.shared(cfg, "cartpole", "gates+mean", ckpts, ms) == cfg
    # a variant whose options are not the agent's defaults is never shared
    sparse = ablations.config("smoke", "cartpole", "gates+mean sparse", ckpts("x"))
    assert ablations.shared(sparse, "cartpole", "gates+mean sparse", ckpts, [3]) == sparse
    base = ablations.config("smoke", "grid", "base", ckpts("grid-base"))
    assert ablations.shared(base, "grid", "base", ckpts, [3]) == base
    grid = ablations.config("smoke", "grid", "gates+mean", ckpts("grid-gates+mean"))
    mine = ablations.shared(grid, "grid", "gates+mean", ckpts, [3])
    assert mine.agent_kwargs == {} and mine.checkpoint_dir == str(
        tmp_path / "unseen_tasks" / "symla"
    )
    # the standard ablation trains at lite's sizes; lite's unseen_observations meta-trains CartPole
    # 200 generations, not the table's 400, so the ablation's CartPole is a run of its own
    std = ablations.config("standard", "cartpole", "gates+mean", ckpts("cartpole-gates+mean"))
    assert std.preset == "lite" and std.hyper()["generations"] == 400
    assert ablations.shared(std, "cartpole", "gates+mean", ckpts, [400]) == std
    assert ablations.presets.experiment("standard", "unseen_observations")[0]
    # MetaRNN on the grid world is unseen_tasks' own run
    rnn = ablations.config("standard", "grid", "metarnn", ckpts("grid-metarnn"))
    theirs = ablations.shared(rnn, "grid", "metarnn", ckpts, [400])
    assert theirs.checkpoint_dir == str(tmp_path / "unseen_tasks" / "metarnn")
    assert theirs.identity() == rnn.identity()
    std_grid = ablations.config("standard", "grid", "gates+mean", ckpts("grid-gates+mean"))
    assert ablations.shared(std_grid, "grid", "gates+mean", ckpts, [400]).agent_kwargs == {}
    # the projected grid world: unseen_environments meta-trains 100 generations at lite, so the
    # standard ablation's 400-generation budget curve is a run of its own, in its own folder
    proj = ablations.config("standard", "projgrid", "gates+mean", ckpts("projgrid-gates+mean"))
    assert proj.hyper()["generations"] == 400
    assert ablations.milestones("standard", "projgrid", "gates+mean") == [100, 200, 400]
    assert ablations.shared(proj, "projgrid", "gates+mean", ckpts, [100, 200, 400]) == proj


def test_cost_ratios_pair_the_agents_at_the_same_lifetime():
    wall = pd.DataFrame(
        dict(
            setting=["grid", "grid", "grid", "cartpole"],
            variant=["gates+mean", "metarnn", "metarnn lr/2", "gates+mean L500"],
            agent=["symla", "metarnn", "metarnn", "symla"],
            lifetime=[200, 200, 200, 500],
            seconds_per_generation=[0.8, 0.1, 0.06, 1.5],
        )
    )
    out = budget.cost_ratios(wall)
    assert out[["setting", "lifetime"]].values.tolist() == [["grid", 200]]  # no MetaRNN on cartpole
    assert np.isclose(out["metarnn_s"].iloc[0], 0.08) and np.isclose(out["ratio"].iloc[0], 10.0)
