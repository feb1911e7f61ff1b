"""Table 1 rendered in the paper's layout, and every cell where measurement and paper differ."""

import pandas as pd

from symla_lite import symmetry
from symla_lite.experiments.table1 import LABELS, NAMES


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
