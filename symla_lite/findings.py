"""What one run of a notebook found, in words: the closing cell of every notebook, as markdown.

Every sentence is computed from the tables of the run it closes, never typed by hand:
`claims` for an experiment's claims rows (`symla_lite.verdict.row`), `overall` for the claims table
of a whole run (the claims notebook), `table1` for the measured Table 1, `tour` and `inside` for the
tour's regret comparison and its look inside one lifetime. The ablations close with their own
`symla_lite.experiments.ablations.findings`.
"""

import math

import numpy as np
import pandas as pd

from symla_lite import verdict
from symla_lite.claims.summary import pm, z_cell

# How a verdict reads in a sentence.
WORDS = {
    "reproduced": "reproduced",
    "not_reproduced": "not reproduced (the data say the opposite)",
    "inconclusive": "inconclusive (the seeds cannot tell)",
}


def _table(rows) -> pd.DataFrame:
    """Claims rows (dicts or a DataFrame) as a claims table; `z` and `direction` may be absent."""
    records = rows.to_dict("records") if hasattr(rows, "to_dict") else list(rows)
    return verdict.table(records)


def _presets(df: pd.DataFrame) -> str:
    found = list(dict.fromkeys(df["preset"].astype(str)))
    if len(found) == 1:
        return f"preset {found[0]}"
    return "presets " + ", ".join(found[:-1]) + f" and {found[-1]}"


def _counts(df: pd.DataFrame) -> str:
    n = df["verdict"].value_counts()
    return ", ".join(f"{int(n.get(v, 0))} {v}" for v in verdict.VERDICTS)


def claim_line(r: dict) -> str:
    """One claim as a markdown bullet: its metric, SymLA's number and the baseline's with their
    standard errors, the claimed direction, z (the verdict rule's), the smallest effect that
    matters (where the claim states one), the seeds, the verdict."""
    direction = r.get("direction")
    claimed = f"claimed {direction}; " if isinstance(direction, str) else ""
    least = r.get("min_effect")
    smallest = (
        f", smallest effect that matters {least:.3g}"
        if isinstance(least, float) and math.isfinite(least)
        else ""
    )
    return (
        f"- {r['claim']} ({r['metric']}): SymLA {pm(r['symla'], r['symla_sem'])} against "
        f"{pm(r['baseline'], r['baseline_sem'])} ({claimed}z = {z_cell(r.get('z'))}"
        f"{smallest}, {int(r['n_seeds'])} seeds): **{r['verdict']}**"
    )


def claims(rows) -> str:
    """An experiment's claims as this run measured them: a sentence counting the verdicts, then a
    bullet per claim with its numbers and verdict (`claim_line`)."""
    df = _table(rows)
    if not len(df):
        return "This run measured no claim."
    head = (
        f"This run measured {len(df)} claim{'s' if len(df) != 1 else ''} at {_presets(df)}: "
        f"{_counts(df)}."
    )
    return "\n".join([head, "", *(claim_line(r) for r in df.to_dict("records"))])


def overall(table) -> str:
    """The claims table of a whole run: the verdicts counted over every claim and per experiment,
    then every claim that is not reproduced, by verdict, with its experiment and z."""
    df = _table(table)
    if not len(df):
        return "No claims yet: no experiment has written its claims file."
    experiments = list(dict.fromkeys(df["experiment"]))
    lines = [
        f"Over all {len(df)} claims of {len(experiments)} experiment(s) at {_presets(df)}: "
        f"{_counts(df)}.",
        "",
    ]
    for exp in experiments:
        lines.append(f"- {verdict.title(exp)}: {_counts(df[df['experiment'] == exp])}")
    for v in ("not_reproduced", "inconclusive"):
        sub = df[df["verdict"] == v]
        if len(sub):
            lines += ["", f"**{WORDS[v][0].upper()}{WORDS[v][1:]}:**", ""]
            lines += [
                f"- {verdict.title(r['experiment'])}: {r['claim']} (z = {z_cell(r.get('z'))}, "
                f"{int(r['n_seeds'])} seeds)"
                for r in sub.to_dict("records")
            ]
    if (df["verdict"] == "reproduced").all():
        lines += ["", "Every claim is reproduced."]
    return "\n".join(lines)


def table1(table: pd.DataFrame, counts: pd.DataFrame, names: dict | None = None) -> str:
    """The measured Table 1 (`experiments.table1.run`'s "table1" and "param_counts"): how many
    cells agree with the paper, the properties that hold per method, the largest deviation of the
    permutation checks and the meta-parameter counts. `names`: how to print a method."""
    names = names or {}
    methods = list(dict.fromkeys(table["method"]))
    agree = int(table["agrees"].sum())
    holds = table.groupby("method", sort=False)["measured"].agg(["sum", "size"])
    per = ", ".join(
        f"{names.get(m, m)} {int(holds.loc[m, 'sum'])} of {int(holds.loc[m, 'size'])}"
        for m in methods
    )
    lines = [
        f"{agree} of {len(table)} measured cells agree with the paper's Table 1.",
        "",
        f"- Properties that hold: {per}.",
    ]
    dev = table[table["property"].str.contains("permutation")]
    if len(dev):
        worst = dev.groupby("method")["value"].max()
        ratio = (dev["value"] / dev["tolerance"]).groupby(dev["method"]).max()
        cells = ", ".join(
            f"{names.get(m, m)} {worst[m]:.2g} ({ratio[m]:.3g} × its tolerance)"
            for m in methods
            if m in worst.index
        )
        lines.append(f"- Permutation checks, largest deviation of the logits: {cells}.")
    n = counts.pivot(index="method", columns="num_actions", values="meta_params")
    sizes = " and ".join(f"B = {b}" for b in n.columns)
    lines.append(
        f"- Meta-parameters at {sizes} actions: "
        + ", ".join(f"{names.get(m, m)} {n.loc[m].tolist()}" for m in methods if m in n.index)
        + "."
    )
    return "\n".join(lines)


def _against(mine: pd.Series, other: pd.Series, name: str) -> str:
    """One mean regret against another's, in words: below NAME's X ± s (by z standard errors)."""
    diff = other["regret_mean"] - mine["regret_mean"]
    se = math.hypot(mine["regret_sem"], other["regret_sem"])
    z = diff / se if se > 0 else (math.copysign(math.inf, diff) if diff else 0.0)
    side = "below" if diff > 0 else "above" if diff < 0 else "equal to"
    return (
        f"{side} {name}'s {pm(other['regret_mean'], other['regret_sem'])} "
        f"(by {abs(z):.1f} standard errors)"
    )


def tour(summary: pd.DataFrame, identical: bool | None = None) -> str:
    """The tour's regret comparison (`experiments.tour.regret_tables`'s summary: the learner
    trained in this run first, Thompson sampling's row `thompson`): each learner's mean cumulative
    regret against Thompson sampling's; `identical`: whether this run's meta-parameters are the
    shipped ones bit for bit (None: another preset or seed than the shipped file's)."""
    s = summary.set_index("method")
    th = s.loc["thompson"]
    mine = s.iloc[0]
    lines = [
        f"The SymLA meta-trained in this run has a mean cumulative regret of "
        f"{pm(mine['regret_mean'], mine['regret_sem'])} over {int(mine['horizon'])} steps "
        f"({int(mine['n_lifetimes'])} lifetimes), {_against(mine, th, 'Thompson sampling')}.",
        "",
    ]
    lines += [
        f"- {label}: {pm(r['regret_mean'], r['regret_sem'])}, "
        f"{_against(r, th, 'Thompson sampling')}"
        for label, r in s.drop(index="thompson").iterrows()
    ]
    if identical is not None:
        lines += [
            "",
            "This run used the shipped file's preset and seed: its meta-parameters are "
            f"{'bit for bit identical to' if identical else 'NOT identical to'} the shipped ones.",
        ]
    return "\n".join(lines)


def inside(trace: pd.DataFrame, probs) -> str:
    """One lifetime of a learner on arms with payout `probs` (`experiments.tour.trace_lifetime`):
    how often it pulled the better arm early and late, its probability and its LSTM state's norm
    at the first and last step."""
    best = int(np.argmax(probs))
    horizon = len(trace)
    early, late = trace.iloc[: horizon // 10], trace.iloc[-(horizon // 4) :]
    return (
        f"Arm {best} pays more. Over the first {len(early)} steps the learner pulled it "
        f"{(early['action'] == best).mean():.0%} of the time, over the last {len(late)} steps "
        f"{(late['action'] == best).mean():.0%}; its probability went from "
        f"{trace[f'prob_{best}'].iloc[0]:.2f} at step 1 to {trace[f'prob_{best}'].iloc[-1]:.2f}. "
        f"The LSTM state of the weight to arm {best} moved from norm "
        f"{trace[f'h_norm_{best}'].iloc[0]:.2f} to {trace[f'h_norm_{best}'].iloc[-1]:.2f}, "
        "learning without any gradient inside the lifetime."
    )
