"""The diversity curve: its points' axes, saving and loading a standard run's meta-parameters, the
meta-test on CartPole and the atlas, the words and the figure."""

import math
import shutil

import matplotlib
import numpy as np
import pandas as pd
import pytest
import stand_ins

from symla_lite import presets, transfer
from symla_lite.claims import diversity as C
from symla_lite.experiments import diversity
from symla_lite.plots import diversity as P

matplotlib.use("Agg")


def test_axes_place_every_point_and_share_the_generalists_own():
    df = diversity.axes()
    assert set(df["point"]) == set(transfer.diversity_points())
    tasks = df[df["axis"] == "tasks"].set_index("point")["x"]
    assert list(tasks) == [1, 4, 16, 64, math.inf] and tasks.index[-1] == "all"
    fams = df[df["axis"] == "families"].set_index("point")["x"]
    assert list(fams) == [1, 2, 3, 4] and fams.index[-1] == "all"
    assert diversity.sizes("smoke") == "smoke"
    assert diversity.sizes("standard") == diversity.sizes("paper") == "lite"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("standard")
    return folder, stand_ins.diversity_points(folder)


def test_load_reads_every_point_and_names_what_is_missing(shipped, tmp_path):
    folder, files = shipped
    found = diversity.load(folder / diversity.PARAMS)
    assert list(found["points"]) == list(transfer.diversity_points()) and found["seed"] == 0
    assert sorted(found["files"]) == sorted(files[:-1]) and len(files) == 8 * 2 * 3 + 1
    assert [(m, s) for m, s, _, _ in found["points"]["pool4"]] == [
        (m, s) for m in diversity.LEARNERS for s in range(3)
    ]
    with pytest.raises(FileNotFoundError, match="--preset standard --only generalist"):
        diversity.load(tmp_path)
    shutil.copytree(folder / diversity.PARAMS, tmp_path / diversity.PARAMS)  # no atlas scores
    with pytest.raises(FileNotFoundError, match=diversity.ATLAS_CSV):
        diversity.check_shipped("lite", tmp_path)
    diversity.check_shipped("standard", tmp_path / "nothing")  # a standard run trains its own


def test_cartpole_and_atlas_tables_words_and_figure(shipped):
    folder, _ = shipped
    points = diversity.load(folder / diversity.PARAMS)["points"]
    cart = diversity.cartpole(points, "smoke", 0, lrs=(0.1,))
    learned = cart[cart["point"].notna()]
    assert len(learned) == 8 * 2 * 3 and set(learned["method"]) == set(diversity.LEARNERS)
    fixed = cart[cart["point"].isna()]
    assert sorted(fixed["method"]) == ["random", "reinforce"] and fixed["seed"].isna().all()
    assert (cart["test_lifetime"] == presets.evaluation("smoke")["transfer_lifetime"]).all()
    assert np.isfinite(fixed["late_sem"]).all()
    # each point meets the same test lifetimes: untrained SymLAs moved apart differ
    sym = learned[learned["method"] == "symla"].groupby("point")["late"].mean()
    assert sym.nunique() > 1
    atlas = pd.read_csv(folder / diversity.ATLAS_CSV)
    assert len(atlas) == 8 * 2 * 3 and (atlas["envs"] == 1).all()
    assert set(atlas.columns) >= {"point", "method", "seed", "score", "n_envs", "learns"}
    table = C.summary(cart, atlas)
    assert len(table) == (5 + 4) * 2 and set(table["verdict"]) <= {
        "reproduced",
        "not_reproduced",
        "inconclusive",
    }
    one = table[(table["point"] == "pool16") & (table["method"] == "metarnn")].iloc[0]
    seeds = learned[(learned["point"] == "pool16") & (learned["method"] == "metarnn")]["late"]
    assert one["late"] == pytest.approx(seeds.mean()) and one["n_seeds"] == 3
    words = C.words(cart, atlas)
    assert f"{one['late']:.1f} ± {one['late_sem']:.1f}" in words and "**Atlas**" in words
    sym = table[(table["point"] == "pool16") & (table["method"] == "symla")].iloc[0]
    assert f"16 tasks per family {sym['late'] - one['late']:+.1f} (z " in words
    fig = P.plot(cart, atlas)
    assert len(fig.axes) == 4


def test_atlas_score_of_a_run_is_its_mean_over_scored_environments():
    scored = pd.DataFrame(
        dict(
            env=["A", "B", "C", "A", "B", "C", "A"],
            method=["symla:pool1"] * 3 + ["metarnn:pool1"] * 3 + ["random"],
            seed=[0, 0, 0, 0, 0, 0, None],
            score=[0.5, -0.1, np.nan, 0.2, 0.4, 0.0, 0.0],
        )
    )
    out = diversity.per_run(scored).set_index("method")
    assert out.loc["symla", "score"] == pytest.approx(0.2) and out.loc["symla", "n_envs"] == 2
    assert out.loc["symla", "learns"] == 1 and out.loc["metarnn", "learns"] == 2
    assert (out["point"] == "pool1").all() and (out["envs"] == 3).all() and len(out) == 2
