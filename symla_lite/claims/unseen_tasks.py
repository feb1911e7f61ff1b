"""The unseen-tasks claims: claims-table rows over meta-training seeds, and their words."""

import numpy as np
import pandas as pd

from symla_lite import verdict
from symla_lite.experiments.unseen_tasks import METHODS

EXPERIMENT = "unseen_tasks"
LEARNS = "SymLA meta-learns the grid world"
ADAPTS = "SymLA adapts to the swapped task"
OVERFITS = "MetaRNN overfits the grid-world task: SymLA favours the +1 object more than MetaRNN"


def difference(df: pd.DataFrame, method: str, setting: str, a: str, b: str) -> np.ndarray:
    """Per seed (sorted): objects `a` minus objects `b` collected per lifetime in the second half
    (means over test lifetimes)."""
    sub = df[(df["method"] == method) & (df["setting"] == setting) & (df["part"] == "second_half")]
    t = sub.pivot(index="seed", columns="object", values="count_mean").sort_index()
    return (t[a] - t[b]).to_numpy(np.float64)


def rows(tables: dict, preset: str) -> list[dict]:
    """The experiment's claims-table rows (`verdict.row`) from run()'s tables."""
    df = tables["counts"]
    swapped = "traps (+1 when swapped) minus hearts (-1) collected per lifetime, second half, rewards swapped"
    return [
        verdict.row(
            LEARNS,
            EXPERIMENT,
            "hearts (+1) minus traps (-1) collected per lifetime, second half, as trained "
            "(per meta-training seed; vs 0)",
            difference(df, "symla", "as_trained", "heart", "trap"),
            (0.0, 0.0),
            "higher",
            preset,
        ),
        verdict.row(
            ADAPTS,
            EXPERIMENT,
            f"{swapped} (per meta-training seed; vs 0)",
            difference(df, "symla", "swapped", "trap", "heart"),
            (0.0, 0.0),
            "higher",
            preset,
        ),
        verdict.row(
            OVERFITS,
            EXPERIMENT,
            f"{swapped} (per meta-training seed; SymLA's vs MetaRNN's)",
            difference(df, "symla", "swapped", "trap", "heart"),
            verdict.across(difference(df, "metarnn", "swapped", "trap", "heart")),
            "higher",
            preset,
        ),
    ]


def summary(df: pd.DataFrame) -> pd.DataFrame:
    """Per method x setting x part x object: the count per lifetime, mean over seeds and its
    standard error across seeds (the random policy, not meta-trained: over test lifetimes)."""
    keys = ["method", "setting", "part", "object"]
    return verdict.over_seeds(df, keys, "count_mean", "count_sem")


def claims(rows: list[dict], df: pd.DataFrame) -> str:
    """Markdown: second-half counts (mean ± SE across seeds, from `df`) and every claim with its
    verdict, read from `rows`."""
    t = summary(df).set_index(["method", "setting", "part", "object"])
    lines = []
    for method in (*METHODS, "random"):
        for setting in ("as_trained", "swapped"):
            h = t.loc[(method, setting, "second_half", "heart")]
            tr = t.loc[(method, setting, "second_half", "trap")]
            lines.append(
                f"- {method}, {setting}, second half: heart {h['mean']:.2f} ± {h['sem']:.2f}, "
                f"trap {tr['mean']:.2f} ± {tr['sem']:.2f}"
            )
    adapts = next(r for r in rows if r["claim"] == ADAPTS)
    literal = {"reproduced": "not_reproduced", "not_reproduced": "reproduced"}
    lines += [
        "",
        "Mean ± SE across meta-training seeds (random policy: across test lifetimes). With swapped "
        "rewards the heart pays -1 and the trap +1.",
        "",
        *(verdict.line(r) for r in rows),
        "",
        "The literal reading of the paper's sentence (SymLA collects the heart more than the trap "
        "in the second half under swapped rewards) is the opposite direction of "
        f"'{ADAPTS}': **{literal.get(adapts['verdict'], adapts['verdict'])}**.",
    ]
    return "\n".join(lines)
