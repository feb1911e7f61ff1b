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


NAMES = {
    "symla": "SymLA",
    "generalist": "SymLA (mixture)",
    "metarnn": "MetaRNN",
    "generalist_metarnn": "MetaRNN (mixture)",
}
COUNT_CLAIM = (
    "atlas: SymLA meta-trained on the mixture learns within the lifetime on more environments "
    "than SymLA meta-trained on grid worlds"
)


def claim(env_id: str) -> str:
    return f"atlas, {env_id}: SymLA learns within the lifetime"


def _seeds(sub: pd.DataFrame, column: str) -> np.ndarray:
    """A meta-learned method's `column` per seed, seeds ascending."""
    return sub.sort_values("seed")[column].to_numpy(np.float64)


def rows(atlas: pd.DataFrame, preset: str) -> list[dict]:
    """One claims row per environment of the atlas table (or its CSV): SymLA's gain per seed
    against the random policy's gain (± its standard error over test lifetimes), direction
    higher; then, with the generalist in the table, `count_row`."""
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
    extra = count_row(atlas, preset)
    return out if extra is None else [*out, extra]


def learns_per_seed(atlas: pd.DataFrame, method: str) -> np.ndarray:
    """Per meta-training seed of `method` (ascending): on how many environments its gain lies
    more than 2 standard errors above the random policy's (sqrt of both squared standard errors
    over test lifetimes)."""
    sub = atlas[atlas["method"] == method]
    rnd = atlas[atlas["method"] == "random"].set_index("env")
    margin = np.hypot(sub["gain_sem"].to_numpy(), rnd.loc[sub["env"], "gain_sem"].to_numpy())
    above = sub["learning_gain"].to_numpy() - rnd.loc[sub["env"], "learning_gain"].to_numpy()
    learns = pd.Series(above > 2 * margin, index=sub.index)
    return learns.groupby(sub["seed"]).sum().sort_index().to_numpy(np.float64)


def count_row(atlas: pd.DataFrame, preset: str) -> dict | None:
    """The claims row: the generalist SymLA's number of environments learned within the lifetime
    per seed (`learns_per_seed`) against the grid-world SymLA's (mean ± standard error across its
    seeds), direction higher; None where the table has no generalist."""
    if not (atlas["method"] == "generalist").any():
        return None
    return verdict.row(
        COUNT_CLAIM,
        EXPERIMENT,
        "environments whose late minus early return per episode lies 2 standard errors above "
        "random's, per seed; baseline: the grid-world SymLA's",
        learns_per_seed(atlas, "generalist"),
        verdict.across(learns_per_seed(atlas, "symla")),
        "higher",
        preset,
    )


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
        methods = [m for m in NAMES if (env_id, m) in table.index]
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
    by_count = by_claim.get(COUNT_CLAIM)
    if by_count is not None:
        lines.append(
            f"Per meta-training seed, environments learned within the lifetime: SymLA meta-trained "
            f"on the mixture {', '.join(str(int(v)) for v in learns_per_seed(atlas, 'generalist'))}"
            f"; on grid worlds {', '.join(str(int(v)) for v in learns_per_seed(atlas, 'symla'))}"
            f" (**{by_count['verdict']}**)."
        )
    return "\n".join(lines)
