"""The ablations notebook runs end to end with papermill in the smoke preset."""

import pandas as pd
import pytest

from symla_lite.experiments import ablations


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
    assert (cart["score"] == cart["random_episodes"] - cart["episodes"]).all()
    training = pd.read_csv(d["results"] / "ablations_training.csv")
    assert training.groupby(["setting", "variant", "seed"]).size().nunique() == 1
    for name in ("ablations_curves", "ablations_meta_test"):
        for ext in ("png", "pdf"):
            assert (d["figures"] / f"{name}.{ext}").stat().st_size > 1000
    assert (d["results"] / "outputs" / "ablations.json").exists()


def test_variants_are_spelled_out_and_checked():
    cfg = ablations.config("smoke", "cartpole", "gates+mean sparse")
    assert cfg.agent_kwargs == {**ablations.BASE, **ablations.VSML_GATES, "message_reduce": "mean"}
    assert cfg.env_kwargs == {"reward": "sparse"}
    half = ablations.config("lite", "grid", "gates+mean lr/2")
    assert half.hyper()["lr"] == ablations.presets.preset("lite", "rl")["lr"] / 2
    with pytest.raises(ValueError, match="unknown variant"):
        ablations.config("smoke", "grid", "nope")
    with pytest.raises(ValueError, match="unknown setting"):
        ablations.config("smoke", "pong", "base")
    with pytest.raises(ValueError, match=r"unknown \(setting, variant\)"):
        ablations.run("smoke", 0, plan={"grid": ["nope"]})
