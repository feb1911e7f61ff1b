"""Table 1 of the paper as measured checks (SPEC section 4 item 1), via `symla_lite.symmetry`.

`measure` runs every check for REINFORCE, MetaRNN and SymLA and returns the tidy table (one row
per method and property, measured next to the paper's claim) and the meta-parameter counts at two
sizes; `run` returns both as a dict. The paper's layout and the disagreements in words:
`symla_lite.claims.table1`.
"""

import jax
import pandas as pd

from symla_lite import presets, symmetry

# Steps per check stay short because a recurrent learner amplifies float32 rounding over steps
# (see symmetry._permutation_check); the trials per check come from the preset.
STEPS = 8
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


def check_sizes(preset: str) -> dict:
    """Trials (random params x random permutations) and steps of every check at `preset`."""
    return dict(trials=presets.evaluation(preset)["symmetry_trials"], steps=STEPS)


def measure(preset: str = "lite", seed: int = 0, hidden: int = 16, methods=symmetry.METHODS):
    """Returns (table, counts): table has columns method, property, measured, paper_claim, agrees,
    value, tolerance, noise_floor, detail; counts has method, num_obs, num_actions, hidden,
    meta_params, learned_state."""
    size = check_sizes(preset)
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


def run(preset: str = "lite", seed: int = 0, hidden: int = 16) -> dict:
    """{"table1": one row per method x property, "param_counts": meta-parameters per size}."""
    table, counts = measure(preset=preset, seed=seed, hidden=hidden)
    return {"table1": table, "param_counts": counts}
