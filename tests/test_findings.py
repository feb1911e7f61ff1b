"""The closing sentences of the notebooks (`symla_lite.findings`), on small hand-made tables."""

import math

import pandas as pd

from symla_lite import findings


def claim(name, verdict, symla=1.0, symla_sem=0.1, baseline=2.0, baseline_sem=0.05, **kw):
    row = dict(
        claim=name,
        experiment="bandits",
        metric="regret",
        symla=symla,
        symla_sem=symla_sem,
        baseline=baseline,
        baseline_sem=baseline_sem,
        n_seeds=3,
        preset="lite",
        verdict=verdict,
        direction="lower",
        z=4.5,
    )
    return {**row, **kw}


ROWS = [
    claim("a beats b", "reproduced"),
    claim("c beats d", "not_reproduced", z=-3.0),
    claim("e beats f", "inconclusive", z=0.25),
]


def test_claims_counts_the_verdicts_and_lists_every_claim_with_its_numbers():
    text = findings.claims(ROWS)
    lines = text.splitlines()
    assert lines[0] == (
        "This run measured 3 claims at preset lite: 1 reproduced, 1 not_reproduced, 1 inconclusive."
    )
    assert lines[2] == (
        "- a beats b (regret): SymLA 1.00 ± 0.10 against 2.000 ± 0.050 (claimed lower; "
        "z = 4.5, 3 seeds): **reproduced**"
    )
    assert lines[3].endswith("(claimed lower; z = -3.0, 3 seeds): **not_reproduced**")
    assert lines[4].endswith("z = 0.2, 3 seeds): **inconclusive**")
    assert len(lines) == 5
    assert findings.claims(pd.DataFrame(ROWS)) == text  # a DataFrame reads the same


def test_claims_names_every_preset_and_says_when_there_is_none():
    rows = [claim("x", "reproduced"), claim("y", "inconclusive", preset="standard")]
    assert findings.claims(rows).startswith(
        "This run measured 2 claims at presets lite and standard: 1 reproduced, "
        "0 not_reproduced, 1 inconclusive."
    )
    assert findings.claims([claim("x", "reproduced")]).startswith("This run measured 1 claim at")
    assert findings.claims([]) == "This run measured no claim."


def test_a_claim_without_numbers_or_z_reads_n_a():
    row = claim("x", "inconclusive", symla=math.nan, z=math.nan, direction=math.nan)
    line = findings.claim_line(row)
    assert (
        line == "- x (regret): SymLA n/a against 2.000 ± 0.050 (z = n/a, 3 seeds): **inconclusive**"
    )


def test_overall_counts_per_experiment_and_lists_what_is_not_reproduced():
    rows = [*ROWS, claim("g beats h", "reproduced", experiment="unseen_tasks")]
    lines = findings.overall(rows).splitlines()
    assert lines[0] == (
        "Over all 4 claims of 2 experiment(s) at preset lite: 2 reproduced, 1 not_reproduced, "
        "1 inconclusive."
    )
    assert lines[2].endswith(": 1 reproduced, 1 not_reproduced, 1 inconclusive")
    assert lines[3].endswith(": 1 reproduced, 0 not_reproduced, 0 inconclusive")
    text = "\n".join(lines)
    assert "**Not reproduced (the data say the opposite):**" in text
    assert "c beats d (z = -3.0, 3 seeds)" in text
    assert "**Inconclusive (the seeds cannot tell):**" in text
    assert "e beats f (z = 0.2, 3 seeds)" in text
    assert "a beats b" not in text and "g beats h" not in text
    assert "Every claim is reproduced" not in text


def test_overall_when_every_claim_holds_and_when_there_is_none():
    text = findings.overall([claim("a", "reproduced")])
    assert text.endswith("Every claim is reproduced.") and "Not reproduced" not in text
    assert findings.overall([]).startswith("No claims yet")


def test_table1_counts_agreement_properties_deviations_and_parameters():
    table = pd.DataFrame(
        dict(
            method=["symla", "symla", "metarnn", "metarnn"],
            property=["black_box", "input_permutation_invariant"] * 2,
            measured=[True, True, True, False],
            agrees=[True, True, True, False],
            value=[0.0, 2e-6, 0.0, 0.5],
            tolerance=[math.nan, 1e-3, math.nan, 1e-2],
        )
    )
    counts = pd.DataFrame(
        dict(
            method=["symla", "symla", "metarnn", "metarnn"],
            num_actions=[2, 4] * 2,
            meta_params=[2560, 2560, 1378, 2500],
        )
    )
    text = findings.table1(table, counts, {"symla": "SymLA", "metarnn": "MetaRNN"})
    assert text.splitlines() == [
        "3 of 4 measured cells agree with the paper's Table 1.",
        "",
        "- Properties that hold: SymLA 2 of 2, MetaRNN 1 of 2.",
        "- Permutation checks, largest deviation of the logits: SymLA 2e-06 (0.002 × its "
        "tolerance), MetaRNN 0.5 (50 × its tolerance).",
        "- Meta-parameters at B = 2 and B = 4 actions: SymLA [2560, 2560], MetaRNN [1378, 2500].",
    ]


SUMMARY = pd.DataFrame(
    dict(
        method=["symla (trained here, lite)", "metarnn (shipped, lite seed 0)", "thompson"],
        horizon=[100] * 3,
        regret_mean=[1.4, 3.0, 2.8],
        regret_sem=[0.03, 0.04, 0.04],
        n_lifetimes=[5000] * 3,
    )
)


def test_tour_states_each_learner_against_thompson_sampling():
    lines = findings.tour(SUMMARY).splitlines()
    assert lines[0] == (
        "The SymLA meta-trained in this run has a mean cumulative regret of 1.400 ± 0.030 over "
        "100 steps (5000 lifetimes), below Thompson sampling's 2.800 ± 0.040 (by 28.0 standard "
        "errors)."
    )
    assert lines[2].startswith("- symla (trained here, lite): 1.400 ± 0.030, below")
    assert lines[3] == (
        "- metarnn (shipped, lite seed 0): 3.000 ± 0.040, above Thompson sampling's "
        "2.800 ± 0.040 (by 3.5 standard errors)"
    )
    assert len(lines) == 4
    assert findings.tour(SUMMARY, True).endswith("bit for bit identical to the shipped ones.")
    assert "NOT identical" in findings.tour(SUMMARY, False)


def test_inside_reads_the_better_arm_early_and_late():
    n = 20
    trace = pd.DataFrame(
        dict(
            action=[0, 0] + [1] * (n - 2),
            prob_1=[0.5 + i * 0.02 for i in range(n)],
            h_norm_1=[0.0] * (n - 1) + [2.0],
        )
    )
    text = findings.inside(trace, [0.3, 0.7])
    assert text.startswith(
        "Arm 1 pays more. Over the first 2 steps the learner pulled it 0% of the time, over the "
        "last 5 steps 100%; its probability went from 0.50 at step 1 to 0.88."
    )
    assert "moved from norm 0.00 to 2.00" in text


def test_a_claim_with_a_smallest_effect_states_it():
    row = claim("x", "not_reproduced", z=2.1, direction=math.nan, min_effect=6.0)
    line = findings.claim_line(row)
    assert "(z = 2.1, smallest effect that matters 6, 3 seeds)" in line
