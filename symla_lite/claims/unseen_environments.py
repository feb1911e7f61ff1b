"""The unseen-environments claims: claims-table rows and words, every number read from the tables.

Definition (one for every row and word here): a test lifetime's **early** / **late** return per
episode is the mean return of its first / last k completed episodes, k = min(5, n // 2) with n the
episodes it completed (the unfinished last episode is left out); its **gain** is late minus early;
a lifetime with fewer than 2 completed episodes has none and is left out
(`experiments.unseen_environments.early_late`, the `lifetimes` table). SymLA's number is, per
meta-training seed, the mean over the test lifetimes, then the mean ± standard error across seeds;
the random policy (fixed, no seed) gives its mean ± standard error over the same test lifetimes.
Each claim states the smallest effect that matters (`verdict.min_effect`): a tenth of REINFORCE's
effect over random on the same test lifetimes and metric.
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


def short_name(env_id: str) -> str:
    return env_id.split("-")[0]


def env_order(lifetimes: pd.DataFrame) -> list[str]:
    present = list(dict.fromkeys(lifetimes["env"]))
    return [e for e in CLASSIC if e in present] + [e for e in present if e not in CLASSIC]


def rows(tables: dict, preset: str) -> list[dict]:
    """Two claims rows per environment meta-tested (CartPole, Acrobot, MountainCar): SymLA's
    return per episode rises over the lifetime (gain vs the random policy's gain), and ends above
    random (late vs random's late); direction higher, SymLA per seed, the smallest effect that
    matters from REINFORCE's (see the module docstring)."""
    return transfer_rows(tables["lifetimes"], "symla", "grid world", EXPERIMENT, preset)


def transfer_rows(lives: pd.DataFrame, method: str, source: str, experiment: str, preset: str):
    """The two claims rows per environment of `lives` for the meta-learned `method` meta-trained
    on `source`: see `rows`."""
    out = []
    for env_id in env_order(lives):
        sub = lives[lives["env"] == env_id]
        sym, rnd = sub[sub["method"] == method], sub[sub["method"] == "random"]
        rein = sub[sub["method"] == "reinforce"]
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
            random = over_lifetimes(rnd, column)
            least = verdict.min_effect(over_lifetimes(rein, column)[0], random[0])
            out.append(
                verdict.row(
                    f"{source} -> {short_name(env_id)}: {claim}",
                    experiment,
                    metric + "; smallest effect: a tenth of REINFORCE's over random",
                    per_seed(sym, column),
                    random,
                    "higher",
                    preset,
                    least if len(rein) else None,
                )  # fmt: skip
            )
    return out


def pm(m: float, e: float) -> str:
    return f"{m:.1f} ± {e:.1f}" if np.isfinite(e) else f"{m:.1f}"


def method_line(env_id: str, method: str, sub: pd.DataFrame) -> str:
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
        f"- {short_name(env_id)}, {method}: early {pm(*early)} -> late {pm(*late)} ({spread}; "
        f"completed episodes per lifetime {n.min()}-{n.max()}, median {n.median():.0f}; "
        f"lifetimes without 2: {int((n < 2).sum())} of {len(n)})"
    )


def markdown(claim_rows: list[dict], tables: dict, labels: dict | None = None) -> str:
    """The claims rows in words (numbers, the smallest effect that matters and verdicts read from
    the rows), then every method's early and late return per episode per environment (`labels`:
    how to name a method there, else its name)."""
    lines = [f"Return per episode: {DEFINITION}.", ""]
    for r in claim_rows:
        if not (np.isfinite(r["symla"]) and np.isfinite(r["baseline"])):
            lines.append(
                f"- {r['claim']}: no number (a test lifetime needs 2 completed episodes; SymLA "
                f"{r['symla']:.1f}, baseline {r['baseline']:.1f}): **{r['verdict']}**."
            )
            continue
        least = r.get("min_effect", float("nan"))
        smallest = f"; smallest effect that matters {least:.3g}" if np.isfinite(least) else ""
        lines.append(
            f"- {r['claim']}: SymLA {pm(r['symla'], r['symla_sem'])} (mean ± se across "
            f"{r['n_seeds']} seeds) vs {pm(r['baseline'], r['baseline_sem'])} (z "
            f"{r['z']:.1f}{smallest}): **{r['verdict']}**."
        )
    lines.append("")
    lives = tables["lifetimes"]
    for env_id in env_order(lives):
        for method, sub in lives[lives["env"] == env_id].groupby("method", sort=False):
            lines.append(method_line(env_id, (labels or {}).get(method, method), sub))
    return "\n".join(lines)
