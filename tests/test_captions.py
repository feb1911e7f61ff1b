"""The sentences under the figures: every number they state is the one the figure's table gives."""

import numpy as np
import pandas as pd
import pytest

from symla_lite import captions

LIVES = pd.DataFrame(
    dict(
        env=["E"] * 8,
        method=["symla"] * 6 + ["random"] * 2,
        seed=[0, 0, 1, 1, 2, 2, None, None],
        late=[10.0, 12.0, 20.0, 22.0, 30.0, 32.0, 5.0, 7.0],
        gain=[1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 0.0, 0.5],
    )
)


def test_held_out_states_the_mean_across_seeds_and_the_fixed_methods_mean():
    text = captions.held_out(LIVES)
    # seeds' means 11, 21, 31: mean 21, standard error 10 / sqrt(3) * sqrt(3) = 5.8
    assert "symla 21.0 ± 5.8 (gain 2.0 ± 0.6)" in text and "random 6.0 (gain 0.2)" in text


def test_claims_glance_counts_every_verdict_and_names_the_extremes():
    table = pd.DataFrame(
        dict(
            claim=["a", "b", "c", "d"],
            verdict=["reproduced", "reproduced", "not_reproduced", "inconclusive"],
            z=[3.0, np.inf, -4.5, np.nan],
            symla=[1.0, 2.0, 3.0, 4.0],
            symla_sem=[0.1, 0.0, 0.1, np.nan],
            baseline=[0.0, 1.0, 4.0, 4.0],
            baseline_sem=[0.1, 0.0, 0.1, np.nan],
        )
    )
    text = captions.claims_glance(table)
    assert "2 reproduced, 1 not_reproduced, 1 inconclusive" in text
    assert '"a" (z 3.0)' in text and '"c" (z -4.5)' in text  # an infinite z is no extreme
    assert "on 3 of 4 claims" in captions.claims_panels(table)


def test_unseen_tasks_reads_symlas_second_half():
    rows = [
        dict(method=m, seed=s, setting=st, part=pt, object=o, count_mean=v)
        for m in ("symla", "metarnn")
        for s in (0, 1)
        for st in ("as_trained", "swapped")
        for pt in ("first_half", "second_half")
        for o, v in (("heart", 10.0 + s + (pt == "second_half")), ("trap", 1.0))
    ]
    text = captions.unseen_tasks(pd.DataFrame(rows))
    assert "as_trained: 11.5 ± 0.5 hearts, 1.0 ± 0.0 traps" in text


@pytest.mark.parametrize("name", ["ablations_meta_test"])
def test_best_and_worst_variant(name):
    tests = pd.DataFrame(
        dict(setting="grid", variant=["a", "a", "b", "b"], seed=[0, 1, 0, 1],
             score=[1.0, 3.0, 5.0, 7.0])
    )  # fmt: skip
    assert "grid: best b (6.00), worst a (2.00)" in getattr(captions, name)(tests)


def test_bandits_regret_names_the_lowest_and_symla():
    curves = pd.DataFrame(
        dict(
            method=["symla", "symla", "thompson", "symla", "symla", "thompson"],
            seed=[0, 1, None, 0, 1, None],
            test_dist="d",
            step=[1, 1, 1, 2, 2, 2],
            cum_regret_mean=[0.1, 0.1, 0.2, 1.0, 2.0, 1.2],
        )
    )
    assert "d: thompson (1.20, symla 1.50)" in captions.bandits_regret(curves)
