"""The atlas's claims and verdicts: one claims row per environment, every number read from atlas.csv.

Definition (one for every row and word here): a test lifetime's **early** / **late** return is the
mean return per episode of the episodes that end in its first / last quarter; its **gain** is late
minus early (`experiments.atlas.quarter_returns`). A row's numbers are means over the test
lifetimes that have both. SymLA's claim number is its gain per meta-training seed, then the mean ±
standard error across seeds; the baseline is the random policy's gain, mean ± standard error over
the same test lifetimes. Random's gain is not zero in general: the definition can give a
non-learner a gain (an episode that ends in the first quarter is more often a short one, since the
lifetime starts with a fresh episode and the one running when the quarter ends is left out), so
random's gain measures what the definition gives without learning.
"""

import numpy as np
import pandas as pd

from symla_lite import verdict
from symla_lite.experiments.atlas import cells

EXPERIMENT = "atlas"
METRIC = "late minus early return per episode (last vs first quarter); baseline: random's"
WORDS = {
    "reproduced": "learns within the lifetime",
    "not_reproduced": "falls behind random's gain over the lifetime",
    "inconclusive": "no clear sign of learning",
}


NAMES = {"symla": "SymLA", "metarnn": "MetaRNN"}


def claim(env_id: str) -> str:
    return f"atlas, {env_id}: SymLA learns within the lifetime"


def _seeds(sub: pd.DataFrame, column: str) -> np.ndarray:
    """A meta-learned method's `column` per seed, seeds ascending."""
    return sub.sort_values("seed")[column].to_numpy(np.float64)


def rows(atlas: pd.DataFrame, preset: str) -> list[dict]:
    """One claims row per environment of the atlas table (or its CSV): SymLA's gain per seed
    against the random policy's gain (± its standard error over test lifetimes), direction
    higher."""
    out = []
    for env_id, g in atlas.groupby("env", sort=False):
        sym = g[g["method"] == "symla"]
        rnd = g[g["method"] == "random"].iloc[0]
        baseline = (float(rnd["learning_gain"]), float(rnd["gain_sem"]))
        out.append(
            verdict.row(
                claim(env_id),
                EXPERIMENT,
                METRIC,
                _seeds(sym, "learning_gain"),
                baseline,
                "higher",
                preset,
            )  # fmt: skip
        )
    return out


def count(claim_rows: list[dict]) -> tuple[int, int]:
    """(N, M): SymLA learns within the lifetime (verdict reproduced) on N of M environments."""
    return sum(r["verdict"] == "reproduced" for r in claim_rows), len(claim_rows)


def _pm(m: float, e: float) -> str:
    if not np.isfinite(m):
        return "n/a"
    return f"{m:+.3g} ± {e:.2g}" if np.isfinite(e) else f"{m:+.3g}"


def _score(c: pd.Series) -> str:
    return c["status"] or f"{c['score']:.2f}"


def verdicts(atlas: pd.DataFrame, claim_rows: list[dict]) -> str:
    """A short verdict per environment, markdown bullets: SymLA's verdict in words, its gain
    against random's, the scores (0 = random, 1 = REINFORCE) of SymLA and MetaRNN, and why a
    score is missing; then the count."""
    table = cells(atlas).set_index(["env", "method"])
    by_claim = {r["claim"]: r for r in claim_rows}
    lines = []
    for env_id, g in atlas.groupby("env", sort=False):
        r = by_claim[claim(env_id)]
        first = g.iloc[0]
        episodes = g.loc[g["method"] == "random", "episodes"].iloc[0]
        methods = [m for m in ("symla", "metarnn") if (env_id, m) in table.index]
        scores = "; ".join(f"{NAMES[m]} {_score(table.loc[(env_id, m)])}" for m in methods)
        notes = g[g["method"].isin(methods)]["note"].fillna("")
        why = list(dict.fromkeys(n for n in notes if n.startswith("not scored")))
        # the reason a score is missing, as its own sentence ("Not scored: ...")
        reasons = "".join(f" {w[0].upper()}{w[1:]}." for w in why)
        lines.append(
            f"- **{env_id}** ({int(first['num_actions'])} actions, {int(first['obs_dim'])} inputs, "
            f"lifetime {int(first['lifetime'])}; random completes {episodes:.1f} episodes per "
            f"lifetime): SymLA **{WORDS[r['verdict']]}** ({r['verdict']}): gain "
            f"{_pm(r['symla'], r['symla_sem'])} ({r['n_seeds']} seeds) vs random's "
            f"{_pm(r['baseline'], r['baseline_sem'])}. Score: {scores}.{reasons}"
        )
    n, m = count(claim_rows)
    lines += ["", f"SymLA learns within the lifetime on **{n} of {m}** environments."]
    return "\n".join(lines)
