"""Claims rows of the bandits experiment from small constructed per-seed tables."""

import numpy as np
import pandas as pd
import pytest

from symla_lite import verdict
from symla_lite.claims import bandits as C

SEEDS = [0, 1, 2]
NA = pd.NA


def tables():
    baselines = pd.DataFrame(
        [
            dict(method="thompson", test_dist="uniform_dependent", horizon=20, n_lifetimes=100,
                 regret_mean=3.0, regret_sem=0.1, regret_exact=np.nan),
        ]
    )  # fmt: skip
    transfer = pd.DataFrame(
        [
            dict(method="symla", seed=s, train_dist="uniform_dependent",
                 test_dist="uniform_dependent", regret_mean=1.0 + 0.1 * s, regret_sem=0.05)
            for s in SEEDS
        ]
    )  # fmt: skip
    unseen = []
    for s in SEEDS:
        for method, reduce in (("symla", "sum"), ("symla", "mean"), ("metarnn", "")):
            for setting, test_dist in (
                ("as_trained", "biased"), ("permuted", "biased"), ("reversed", "biased_reversed")
            ):  # fmt: skip
                good = method == "symla" or setting == "as_trained"
                unseen.append(dict(method=method, seed=s, message_reduce=reduce,
                                   train_dist="biased", setting=setting, test_dist=test_dist,
                                   num_arms=2, regret_mean=(2.0 if good else 5.0) + 0.1 * s,
                                   regret_sem=0.1, note=""))  # fmt: skip
            for k in (2, 3):
                cannot = method == "metarnn" and k > 2
                unseen.append(dict(method=method, seed=s, message_reduce=reduce,
                                   train_dist="uniform_independent", setting="more_arms",
                                   test_dist="uniform_independent", num_arms=k,
                                   regret_mean=np.nan if cannot else 4.0 + 0.3 * s,
                                   regret_sem=np.nan if cannot else 0.1,
                                   note="cannot run: two arms" if cannot else ""))  # fmt: skip
    for k in (2, 3):
        unseen.append(dict(method="random", seed=NA, message_reduce="",
                           train_dist="none (fixed algorithm)", setting="more_arms",
                           test_dist="uniform_independent", num_arms=k, regret_mean=4.0,
                           regret_sem=0.1, note="fixed algorithm"))  # fmt: skip
    unseen = pd.DataFrame(unseen)
    unseen["seed"] = unseen["seed"].astype("Int64")
    transfer["seed"] = transfer["seed"].astype("Int64")
    return dict(baselines=baselines, transfer=transfer, unseen_actions=unseen)


def test_claims_rows_from_per_seed_tables():
    rows = C.rows(tables(), "smoke")
    df = verdict.table(rows)
    assert (df["experiment"] == "bandits").all() and (df["n_seeds"] == 3).all()
    assert (df["preset"] == "smoke").all()
    by = df.set_index("claim")
    head = by.loc["SymLA below Thompson in distribution (uniform-dependent)"]
    assert head["symla"] == pytest.approx(1.1) and head["baseline"] == 3.0
    assert head["symla_sem"] == pytest.approx(verdict.across([1.0, 1.1, 1.2])[1])
    assert head["baseline_sem"] == 0.1 and head["verdict"] == "reproduced"
    for reduce in ("sum", "mean"):
        for words in ("Arms permuted", "Bias reversed"):
            r = by.loc[
                f"{words}: SymLA ({reduce} messages) below MetaRNN, both meta-trained on biased"
            ]
            assert r["symla"] == pytest.approx(2.1) and r["baseline"] == pytest.approx(5.1)
            assert r["verdict"] == "reproduced"
        r = by.loc[f"3 arms: SymLA ({reduce} messages, meta-trained on 2) below random"]
        assert r["symla"] == pytest.approx(4.3) and r["baseline"] == 4.0
        assert r["verdict"] == "inconclusive"  # z = -0.3 / hypot(0.17, 0.1) < 2
    assert len(df) == 1 + 2 * 3
    assert list(df["claim"])[1].startswith("Arms permuted: SymLA (sum")  # the paper's reduce first
    assert not any("2 arms" in c for c in df["claim"])


def test_claims_words_read_the_rows():
    t = tables()
    rows = C.rows(t, "smoke")
    text = C.unseen_markdown(rows, t["unseen_actions"])
    assert "**reproduced**" in text and "**inconclusive**" in text
    assert "cannot run: two arms" in text
    assert "1.10 ± 0.06" in C.headline_markdown(rows, t["baselines"])
    cells = C.in_distribution(t["baselines"], t["transfer"])
    assert cells.loc[0, "symla"] == "1.10 ± 0.06 (3 seeds)" and cells.loc[0, "metarnn"] == "not run"


def test_no_row_without_its_numbers():
    t = tables()
    t["unseen_actions"] = t["unseen_actions"][t["unseen_actions"]["method"] != "metarnn"]
    claims = [r["claim"] for r in C.rows(t, "smoke")]
    assert not any("MetaRNN" in c for c in claims) and len(claims) == 3
