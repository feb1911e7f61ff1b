"""The unseen-observations claims in words, every number read from the results table."""

import numpy as np
import pandas as pd

from symla_lite.experiments.unseen_observations import METHODS, SETTINGS


def _z(a: pd.Series, b: pd.Series) -> float:
    """Difference a - b in units of its standard error."""
    return float((a["return_mean"] - b["return_mean"]) / np.hypot(a["return_sem"], b["return_sem"]))


def claims(df: pd.DataFrame) -> str:
    """Markdown stating the measured result against the paper's claim, numbers from `df`."""
    t = df.set_index(["method", "setting"])
    lines = []
    for method in METHODS:
        base = t.loc[(method, "as_trained")]
        for setting in list(SETTINGS)[1:]:
            cur = t.loc[(method, setting)]
            z = _z(cur, base)
            lines.append(
                f"- {method}, {setting}: {cur['return_mean']:.1f} ± {cur['return_sem']:.1f} vs "
                f"{base['return_mean']:.1f} ± {base['return_sem']:.1f} as trained "
                f"(difference {z:+.1f} standard errors)"
            )
    meta_falls = all(
        _z(t.loc[("metarnn", s)], t.loc[("metarnn", "as_trained")]) < -2
        for s in ("obs_permuted", "both_permuted")
    )
    sym_holds = all(
        abs(_z(t.loc[("symla", s)], t.loc[("symla", "as_trained")])) <= 2
        for s in list(SETTINGS)[1:]
    )
    rnd = t.loc[("random", "as_trained")]
    sym_learned = _z(t.loc[("symla", "as_trained")], rnd) > 2
    meta_learned = _z(t.loc[("metarnn", "as_trained")], rnd) > 2
    lines += [
        "",
        f"- random policy: {rnd['return_mean']:.1f} ± {rnd['return_sem']:.1f}; as trained, "
        f"SymLA is {'' if sym_learned else 'not '}significantly above it and MetaRNN is "
        f"{'' if meta_learned else 'not '}significantly above it.",
        f"- Claim 'MetaRNN's return falls under observation permutation': "
        f"**{'reproduced' if meta_falls else 'not reproduced'}**.",
        f"- Claim 'SymLA's return holds under every permutation': "
        f"**{'reproduced' if sym_holds else 'not reproduced'}**"
        + (
            ""
            if sym_learned
            else " (but SymLA did not beat the random policy, so holding is uninformative here)"
        )
        + ".",
    ]
    return "\n".join(lines)
