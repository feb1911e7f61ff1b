"""The bandits experiment's claims: claims-table rows from its result tables, and the words."""

import numpy as np
import pandas as pd

from symla_lite import verdict
from symla_lite.experiments.bandits import AGENTS, BASELINES

EXPERIMENT = "bandits"
IN_DIST = "uniform_dependent"
NAMES = {"symla": "SymLA", "metarnn": "MetaRNN", "random": "random", "thompson": "Thompson"}


def _select(df: pd.DataFrame, **where) -> pd.DataFrame:
    sel = df
    for k, v in where.items():
        sel = sel[sel[k] == v]
    return sel


def per_seed(df: pd.DataFrame, **where) -> np.ndarray:
    """The per-seed regret means of a meta-learned agent's rows matching `where`, by seed
    (seeds that could not run are left out)."""
    sel = _select(df, **where).dropna(subset=["seed", "regret_mean"]).sort_values("seed")
    return sel["regret_mean"].to_numpy(np.float64)


def fixed(df: pd.DataFrame, **where) -> tuple[float, float] | None:
    """(mean, sem over test lifetimes) of a fixed baseline's one row matching `where`."""
    sel = _select(df, **where)
    if "seed" in sel:
        sel = sel[sel["seed"].isna()]
    if not len(sel):
        return None
    return float(sel["regret_mean"].iloc[0]), float(sel["regret_sem"].iloc[0])


def _fmt(mean, sem) -> str:
    return f"{mean:.2f} ± {sem:.2f}"


def _reduces(unseen: pd.DataFrame) -> list[str]:
    """SymLA's message reductions in the unseen-actions table, the paper's ("sum") first."""
    found = set(_select(unseen, method="symla")["message_reduce"].fillna(""))
    return sorted(found, key=lambda r: (r != "sum", r))


def rows(tables: dict, preset: str) -> list[dict]:
    """The bandits claims (`verdict.row` dicts) from the tables of `experiments.bandits.run`.

    1. in distribution: SymLA trained and tested on uniform-dependent bandits below Thompson
       sampling on the same test set;
    per SymLA message reduction in the unseen-actions table ("sum": the paper's equations):
    2. arms permuted / 3. bias reversed: SymLA and MetaRNN both meta-trained on `biased`, tested
       with the arms permuted per lifetime / on `biased_reversed`: SymLA below MetaRNN (its
       regret across its own seeds);
    4-6. K = 3, 5, 10 arms: SymLA meta-trained on 2 uniform independent arms, below the random
       policy on K arms (MetaRNN cannot run there).
    Metric: cumulative regret over the lifetime, per seed the mean over the test lifetimes.
    A claim whose numbers are not in the tables (that part not run) has no row.
    """
    out = []
    horizon = int(tables["baselines"]["horizon"].iloc[0])
    metric = f"regret over the lifetime ({horizon} steps)"

    def add(claim, symla, baseline, direction="lower"):
        if len(symla) and baseline is not None:
            out.append(verdict.row(claim, EXPERIMENT, metric, symla, baseline, direction, preset))

    transfer = tables["transfer"]
    add(
        "SymLA below Thompson in distribution (uniform-dependent)",
        per_seed(transfer, method="symla", train_dist=IN_DIST, test_dist=IN_DIST),
        fixed(tables["baselines"], method="thompson", test_dist=IN_DIST),
    )
    unseen = tables["unseen_actions"]
    for reduce in _reduces(unseen):
        sym = _select(unseen, method="symla", message_reduce=reduce)
        biased = dict(train_dist="biased")
        for setting, words in (("permuted", "Arms permuted"), ("reversed", "Bias reversed")):
            rnn = per_seed(unseen, method="metarnn", setting=setting, **biased)
            add(
                f"{words}: SymLA ({reduce} messages) below MetaRNN, both meta-trained on biased",
                per_seed(sym, setting=setting, **biased),
                verdict.across(rnn) if len(rnn) else None,
            )
        more = _select(unseen, setting="more_arms")
        for k in sorted(set(more["num_arms"])):
            if k == 2:
                continue
            add(
                f"{k} arms: SymLA ({reduce} messages, meta-trained on 2) below random",
                per_seed(_select(sym, setting="more_arms"), num_arms=k),
                fixed(more, method="random", num_arms=k),
            )
    return out


def claim_line(row: dict) -> str:
    """One claims row in words: both numbers and the verdict."""
    return (
        f"**{row['claim']}**: SymLA {_fmt(row['symla'], row['symla_sem'])} (mean ± SE over "
        f"{row['n_seeds']} meta-training seeds) vs {_fmt(row['baseline'], row['baseline_sem'])}: "
        f"**{row['verdict']}**."
    )


def _agent_cell(df: pd.DataFrame, **where) -> str:
    v = per_seed(df, **where)
    if not len(v):
        return "not run"
    mean, sem = verdict.across(v)
    return f"{_fmt(mean, sem)} ({len(v)} seeds)"


def in_distribution(baselines_df: pd.DataFrame, transfer: pd.DataFrame) -> pd.DataFrame:
    """Per distribution: in-distribution SymLA and MetaRNN regret (mean ± SE across seeds) next
    to every baseline's (mean ± SE over test lifetimes)."""
    out = []
    for dist in dict.fromkeys(baselines_df["test_dist"]):
        row = {"distribution": dist}
        for method in AGENTS:
            row[method] = _agent_cell(transfer, method=method, train_dist=dist, test_dist=dist)
        for method in BASELINES:
            b = fixed(baselines_df, method=method, test_dist=dist)
            row[method] = _fmt(*b) if b is not None else "not run"
        out.append(row)
    return pd.DataFrame(out)


def _find(claim_rows, start: str) -> list[dict]:
    return [r for r in claim_rows if r["claim"].startswith(start)]


def headline_markdown(claim_rows, baselines_df: pd.DataFrame) -> str:
    """The in-distribution claim on uniform-dependent bandits, read from its claims row."""
    ts = _select(baselines_df, method="thompson", test_dist=IN_DIST)
    bo = _select(baselines_df, method="bayes_optimal", test_dist=IN_DIST)
    if not len(ts):
        return "Uniform-dependent bandits were not part of this run."
    ts = ts.iloc[0]
    lines = [
        f"On **{IN_DIST}** bandits over {int(ts['horizon'])} steps ({int(ts['n_lifetimes'])} test "
        f"lifetimes), Thompson sampling's regret is {_fmt(ts['regret_mean'], ts['regret_sem'])}"
        + (
            f" and the Bayes-optimal policy's {_fmt(bo['regret_mean'].iloc[0], bo['regret_sem'].iloc[0])}"
            f" (exact DP: {bo['regret_exact'].iloc[0]:.3f})."
            if len(bo)
            else "."
        )
    ]
    lines += ["- " + claim_line(r) for r in _find(claim_rows, "SymLA below Thompson")]
    return "\n".join(lines)


def transfer_markdown(transfer: pd.DataFrame) -> str:
    """How much regret rises off the training distribution, per method (seeds averaged first)."""
    lines = []
    for method, g in transfer.groupby("method", sort=False):
        g = g.groupby(["train_dist", "test_dist"], as_index=False, sort=False)["regret_mean"].mean()
        diag = g[g["train_dist"] == g["test_dist"]]["regret_mean"].mean()
        off = g[g["train_dist"] != g["test_dist"]]
        if not len(off):
            lines.append(f"- {method}: mean regret {diag:.2f} in distribution.")
            continue
        worst = off.loc[off["regret_mean"].idxmax()]
        lines.append(
            f"- {method}: mean regret {diag:.2f} in distribution, {off['regret_mean'].mean():.2f} "
            f"off distribution (mean over seeds and {len(off)} train/test pairs; worst "
            f"{worst['regret_mean']:.2f}, trained on {worst['train_dist']} tested on "
            f"{worst['test_dist']})."
        )
    return "\n".join(lines)


def unseen_markdown(claim_rows, unseen: pd.DataFrame) -> str:
    """The unseen-action results in words: the as-trained regrets for context (mean ± SE across
    seeds), then each unseen-action claim with its numbers and verdict from the claims rows."""
    lines = []
    learned = _select(unseen, train_dist="biased")
    for (method, reduce), g in learned.groupby(["method", "message_reduce"], sort=False):
        name = NAMES.get(method, method) + (f" ({reduce} messages)" if reduce else "")
        parts = [
            f"{_agent_cell(g, setting=s)} {words}"
            for s, words in (
                ("as_trained", "as trained"),
                ("permuted", "with the arms permuted"),
                ("reversed", "with the bias reversed"),
            )
        ]
        lines.append(f"- {name}, meta-trained on `biased`: " + ", ".join(parts) + ".")
    for _, row in _select(unseen, method="thompson").iterrows():
        if row["test_dist"].startswith("biased"):
            lines.append(
                f"- Thompson on {row['test_dist']} ({row['setting']}): "
                f"{_fmt(row['regret_mean'], row['regret_sem'])}."
            )
    rnn = _select(unseen, method="metarnn", setting="more_arms").dropna(subset=["seed"])
    notes = rnn[rnn["regret_mean"].isna()]
    if len(notes):
        ks = ", ".join(str(k) for k in sorted(set(notes["num_arms"])))
        lines.append(f"- MetaRNN with K = {ks} arms: {notes['note'].iloc[0]}")
    claims = [r for r in claim_rows if not r["claim"].startswith("SymLA below Thompson")]
    lines += ["- " + claim_line(r) for r in claims]
    return "\n".join(lines)
