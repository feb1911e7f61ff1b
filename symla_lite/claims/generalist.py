"""The generalist's claims: claims-table rows and words, every number read from the tables.

Per held-out environment (classic control, projected): the mixture-trained SymLA's return per
episode rises over the lifetime and ends above random (the definitions of
`claims.unseen_environments`, with the smallest effect that matters from REINFORCE's), and it ends
above MetaRNN meta-trained the same way at equal inputs (both per seed, mean ± standard error
across seeds).
"""

import numpy as np
import pandas as pd

from symla_lite import budget, verdict
from symla_lite.claims import unseen_environments
from symla_lite.claims.unseen_environments import (
    DEFINITION,
    env_order,
    pm,
    short_name,
    transfer_rows,
)
from symla_lite.experiments.generalist import GRID
from symla_lite.transfer import per_seed

EXPERIMENT = "generalist"
SOURCE = "mixture"


def rows(tables: dict, preset: str) -> list[dict]:
    """Per environment: rises over the lifetime and ends above random (as the grid-world SymLA's
    claims, `transfer_rows`), then ends above MetaRNN at equal inputs (late vs MetaRNN's late);
    at the SHIPPED preset the claims name it (`verdict.named`)."""
    lives = tables["lifetimes"]
    out = transfer_rows(lives, "symla", SOURCE, EXPERIMENT, preset)
    for env_id in env_order(lives):
        sub = lives[lives["env"] == env_id]
        sym, rnn = sub[sub["method"] == "symla"], sub[sub["method"] == "metarnn"]
        out.append(
            verdict.row(
                f"{SOURCE} -> {short_name(env_id)}: SymLA ends above MetaRNN at equal inputs",
                EXPERIMENT,
                f"late return per episode ({DEFINITION}); baseline: MetaRNN meta-trained on the "
                "same mixture, 16 inputs, masked action head",
                per_seed(sym, "late"),
                verdict.across(per_seed(rnn, "late")),
                "higher",
                preset,
            )  # fmt: skip
        )
    return [dict(r, claim=verdict.named(r["claim"], preset)) for r in out]


def in_distribution_table(df: pd.DataFrame) -> pd.DataFrame:
    """The normalised score per family (columns) and method (rows): mean ± standard error across
    seeds for the generalists, the random policy's single value."""
    out = {}
    for method, sub in df.groupby("method", sort=False):
        cells = {}
        for family, g in sub.groupby("family", sort=False):
            v = g["score"].to_numpy(np.float64)
            cells[family] = pm(*verdict.across(v)) if g["seed"].notna().any() else f"{v[0]:.2f}"
        out[method] = cells
    return pd.DataFrame(out).T


def learned(df: pd.DataFrame, method: str) -> list[str]:
    """The families on which `method` scores above the random policy by more than 2 standard
    errors (its mean ± se across seeds against random's single score on the same tasks)."""
    out = []
    for family, g in df[df["method"] == method].groupby("family", sort=False):
        m, se = verdict.across(g["score"])
        rnd = df[(df["method"] == "random") & (df["family"] == family)]["score"]
        if np.isfinite(se) and m - 2 * se > float(rnd.iloc[0]):
            out.append(family)
    return out


def in_distribution_words(df: pd.DataFrame) -> str:
    """One sentence per meta-learned method: the families it learned (`learned`), with its mean
    score on each."""
    lines = []
    for method in [m for m in dict.fromkeys(df["method"]) if m != "random"]:
        fams = learned(df, method)
        sub = df[df["method"] == method].groupby("family", sort=False)["score"].mean()
        scores = ", ".join(f"{f} {v:.2f}" for f, v in sub.items())
        which = ", ".join(fams) if fams else "none"
        lines.append(
            f"- {method}: above random by 2 standard errors on {len(fams)} of {len(sub)} "
            f"families ({which}); mean score per family: {scores}."
        )
    return "\n".join(lines)


def markdown(claim_rows: list[dict], tables: dict) -> str:
    """`claims.unseen_environments.markdown`, the grid-world SymLA named as such."""
    return unseen_environments.markdown(claim_rows, tables, {GRID: "SymLA (grid world)"})


def budget_targets(df: pd.DataFrame) -> dict:
    """Per score column ("late", "gain") and environment of a budget table: the value a claim
    needs, the random policy's plus the smallest effect that matters (`verdict.min_effect`, from
    REINFORCE's on the same test lifetimes); none where REINFORCE does not beat random (no
    effect to aim at)."""
    fixed = df[df["generations"].isna()].set_index(["env", "method"])
    targets = {}
    for column in ("late", "gain"):
        targets[column] = {}
        for env_id in env_order(df):
            rnd = fixed.loc[(env_id, "random"), column]
            least = verdict.min_effect(fixed.loc[(env_id, "reinforce"), column], rnd, "higher")
            if least > 0:
                targets[column][env_id] = float(rnd + least)
    return targets


def budget_extrapolated(df: pd.DataFrame) -> pd.DataFrame:
    """`budget.extrapolate` of the learners' late return and gain per episode against log2 of
    the generations, per environment and learner, to `budget_targets`."""
    learned = df[df["generations"].notna()].rename(columns={"generations": "generation"})
    learned = learned.assign(setting=learned["env"], variant=learned["method"])
    settings = {e: (e, None) for e in env_order(df)}
    return budget.extrapolate(learned, budget_targets(df), settings)


def budget_words(df: pd.DataFrame) -> str:
    """The budget curve in words: per environment, learner and score, the mean at the last
    milestone, its growth per doubling of generations and the budget the target needs by that
    line (`budget.budget_findings`)."""
    head = (
        "Targets: the random policy's late return (or gain) plus the smallest effect that "
        "matters; the line is a least-squares fit of the mean over seeds against log2 of the "
        "generations, so a budget it names is a rough lower bound (ES curves flatten). A mean at "
        "its target can still leave its claim inconclusive: the claim's z also counts the random "
        "policy's spread."
    )
    targets = budget_targets(df)
    none = [e for e in env_order(df) if not any(e in t for t in targets.values())]
    tail = f"\n\nNo target on {', '.join(none)}: REINFORCE does not beat random there either."
    return head + "\n\n" + budget.budget_findings(budget_extrapolated(df)) + (tail if none else "")
