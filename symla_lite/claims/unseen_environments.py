"""The unseen-environments claims: claims-table rows and words, every number read from the tables.

Definition (one for every row and word here): a test lifetime's **early** / **late** return per
episode is the mean return of its first / last k completed episodes, k = min(5, n // 2) with n the
episodes it completed (the unfinished last episode is left out); its **gain** is late minus early;
a lifetime with fewer than 2 completed episodes has none and is left out
(`experiments.unseen_environments.early_late`, the `lifetimes` table). SymLA's number is, per
meta-training seed, the mean over the test lifetimes, then the mean ± standard error across seeds;
the random policy (fixed, no seed) gives its mean ± standard error over the same test lifetimes.
"""

import numpy as np
import pandas as pd

from symla_lite import verdict
from symla_lite.envs import CLASSIC
from symla_lite.experiments.unseen_environments import K, over_lifetimes, per_seed

EXPERIMENT = "unseen_environments"
DEFINITION = (
    f"early / late = mean return of a test lifetime's first / last k completed episodes, "
    f"k = min({K}, completed // 2)"
)


def _name(env_id: str) -> str:
    return env_id.split("-")[0]


def _envs(lifetimes: pd.DataFrame) -> list[str]:
    present = list(dict.fromkeys(lifetimes["env"]))
    return [e for e in CLASSIC if e in present] + [e for e in present if e not in CLASSIC]


def rows(tables: dict, preset: str) -> list[dict]:
    """Two claims rows per environment meta-tested (CartPole, Acrobot, MountainCar): SymLA's
    return per episode rises over the lifetime (gain vs the random policy's gain), and ends above
    random (late vs random's late); direction higher, SymLA per seed (see the module docstring)."""
    lives = tables["lifetimes"]
    out = []
    for env_id in _envs(lives):
        sub = lives[lives["env"] == env_id]
        sym, rnd = sub[sub["method"] == "symla"], sub[sub["method"] == "random"]
        for claim, column, metric in (
            (
                "SymLA's return per episode rises over the lifetime",
                "gain",
                f"late minus early return per episode ({DEFINITION}); baseline: random's",
            ),
            (
                "SymLA ends above random",
                "late",
                f"late return per episode ({DEFINITION}); baseline: random's",
            ),
        ):
            out.append(
                verdict.row(
                    f"grid world -> {_name(env_id)}: {claim}",
                    EXPERIMENT,
                    metric,
                    per_seed(sym, column),
                    over_lifetimes(rnd, column),
                    "higher",
                    preset,
                )  # fmt: skip
            )
    return out


def _pm(m: float, e: float) -> str:
    return f"{m:.1f} ± {e:.1f}" if np.isfinite(e) else f"{m:.1f}"


def _method_line(env_id: str, method: str, sub: pd.DataFrame) -> str:
    """Early -> late for one method on one environment, with how many episodes were completed."""
    if sub["seed"].notna().any():
        early = verdict.across(per_seed(sub, "early"))
        late = verdict.across(per_seed(sub, "late"))
        spread = f"mean ± se across {sub['seed'].nunique()} seeds"
    else:
        early, late = over_lifetimes(sub, "early"), over_lifetimes(sub, "late")
        spread = "mean ± sem over test lifetimes"
    n = sub["episodes"]
    return (
        f"- {_name(env_id)}, {method}: early {_pm(*early)} -> late {_pm(*late)} ({spread}; "
        f"completed episodes per lifetime {n.min()}-{n.max()}, median {n.median():.0f}; "
        f"lifetimes without 2: {int((n < 2).sum())} of {len(n)})"
    )


def markdown(claim_rows: list[dict], tables: dict) -> str:
    """The claims rows in words (numbers and verdicts read from the rows), then every method's
    early and late return per episode per environment."""
    lines = [f"Return per episode: {DEFINITION}.", ""]
    for r in claim_rows:
        if not (np.isfinite(r["symla"]) and np.isfinite(r["baseline"])):
            lines.append(
                f"- {r['claim']}: no number (a test lifetime needs 2 completed episodes; SymLA "
                f"{r['symla']:.1f}, random {r['baseline']:.1f}): **{r['verdict']}**."
            )
            continue
        lines.append(
            f"- {r['claim']}: SymLA {_pm(r['symla'], r['symla_sem'])} (mean ± se across "
            f"{r['n_seeds']} seeds) vs random {_pm(r['baseline'], r['baseline_sem'])} "
            f"(± sem over test lifetimes): **{r['verdict']}**."
        )
    lines.append("")
    lives = tables["lifetimes"]
    for env_id in _envs(lives):
        for method, sub in lives[lives["env"] == env_id].groupby("method", sort=False):
            lines.append(_method_line(env_id, method, sub))
    return "\n".join(lines)
