"""Table 1 of the paper as measured checks (SPEC section 4 item 1), via `symla_lite.symmetry`.

`measure` runs every check for REINFORCE, MetaRNN and SymLA and returns the tidy table (one row
per method and property, measured next to the paper's claim) and the meta-parameter counts at two
sizes; `wide` renders it as the paper's table; `disagreements_markdown` states every cell where
measurement and paper differ.
"""

import jax
import pandas as pd

from symla_lite import symmetry

# Trials (random params x random permutations) and steps per check; steps stay short because a
# recurrent learner amplifies float32 rounding over steps (see symmetry._permutation_check).
CHECK_SIZES = {
    "smoke": dict(trials=3, steps=8),
    "lite": dict(trials=32, steps=8),
    "paper": dict(trials=128, steps=8),
}
SMALL, LARGE = (1, 2), (16, 4)  # (num_obs, num_actions): a bandit and a projected-RL task
UNSEEN = ((16, 4), (3, 7))
LABELS = {
    "black_box": "black box",
    "input_permutation_invariant": "invariant to input permutation",
    "action_permutation_equivariant": "equivariant to action permutation",
    "runs_on_unseen_sizes": "runs on unseen numbers of inputs/actions",
    "meta_params_size_independent": "meta-parameter count independent of size",
}
NAMES = {"reinforce": "REINFORCE", "metarnn": "MetaRNN", "symla": "SymLA"}


def measure(preset: str = "lite", seed: int = 0, hidden: int = 16, methods=symmetry.METHODS):
    """Returns (table, counts): table has columns method, property, measured, paper_claim, agrees,
    value, tolerance, noise_floor, detail; counts has method, num_obs, num_actions, hidden,
    meta_params, learned_state."""
    if preset not in CHECK_SIZES:
        raise ValueError(f"unknown preset {preset!r}; choose one of {list(CHECK_SIZES)}")
    size = CHECK_SIZES[preset]
    key = jax.random.key(seed)
    rows, counts = [], []
    for i, method in enumerate(methods):
        k = jax.random.fold_in(key, i)
        kb, ki, ka, ku = jax.random.split(k, 4)
        c = symmetry.param_counts(method, (SMALL, LARGE), hidden)
        counts.append(c)
        checks = {
            "black_box": symmetry.black_box(method, *LARGE, hidden, key=kb, steps=size["steps"]),
            "input_permutation_invariant": symmetry.input_permutation(
                method, *LARGE, hidden, key=ki, **size
            ),
            "action_permutation_equivariant": symmetry.action_permutation(
                method, *LARGE, hidden, key=ka, **size
            ),
            "runs_on_unseen_sizes": symmetry.unseen_sizes(
                method, SMALL, UNSEEN, hidden, key=ku, steps=size["steps"]
            ),
            "meta_params_size_independent": symmetry.size_independence(c),
        }
        for prop, check in checks.items():
            claim = symmetry.PAPER_CLAIMS[method][prop]
            rows.append(
                dict(
                    method=method,
                    property=prop,
                    measured=bool(check.holds),
                    paper_claim=claim,
                    agrees=bool(check.holds) == claim,
                    value=check.value,
                    tolerance=check.tolerance,
                    noise_floor=check.noise_floor,
                    detail=check.detail,
                )
            )
    return pd.DataFrame(rows), pd.concat(counts, ignore_index=True)


def _mark(b: bool) -> str:
    return "✓" if b else "✗"


def wide(table: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """The paper's layout: one row per property, one column per method; each cell reads
    'measured (paper: claim)', with a '!' where they differ; then the parameter counts."""
    cells = table.assign(
        cell=[
            f"{_mark(m)} (paper {_mark(c)})" + ("" if a else " ! differs")
            for m, c, a in zip(
                table["measured"], table["paper_claim"], table["agrees"], strict=True
            )
        ],
        row=table["property"].map(LABELS),
    )
    out = cells.pivot(index="row", columns="method", values="cell")
    n = counts.assign(row=[f"meta-parameters at A={a}, B={b}" for a, b in zip(
        counts["num_obs"], counts["num_actions"], strict=True)])  # fmt: skip
    n = n.pivot(index="row", columns="method", values="meta_params").astype(str)
    out = pd.concat([out.reindex([LABELS[p] for p in symmetry.PROPERTIES]), n])
    methods = [m for m in symmetry.METHODS if m in out.columns]
    return out[methods].rename(columns=NAMES).rename_axis(index=None, columns=None)


def disagreements_markdown(table: pd.DataFrame) -> str:
    """A sentence per cell where the measurement and the paper's claim differ (or that none do)."""
    bad = table[~table["agrees"]]
    n = len(table)
    if bad.empty:
        return f"All {n} measured cells agree with the paper's Table 1."
    lines = [f"**{len(bad)} of {n} measured cells differ from the paper's Table 1:**", ""]
    for r in bad.itertuples(index=False):
        lines.append(
            f"- {NAMES[r.method]}, {LABELS[r.property]}: measured {_mark(r.measured)}, paper "
            f"{_mark(r.paper_claim)} ({r.detail})"
        )
    return "\n".join(lines)
