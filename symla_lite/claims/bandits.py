"""The bandits experiment's claims in words: every number read from its result tables."""

import numpy as np
import pandas as pd

from symla_lite.experiments.bandits import AGENTS, BASELINES


def _fmt(row) -> str:
    return f"{row['regret_mean']:.2f} ± {row['regret_sem']:.2f}"


def in_distribution(baselines_df: pd.DataFrame, transfer: pd.DataFrame) -> pd.DataFrame:
    """Per distribution: in-distribution SymLA and MetaRNN regret next to every baseline's."""
    rows = []
    for dist in dict.fromkeys(baselines_df["test_dist"]):
        row = {"distribution": dist}
        for method in AGENTS:
            sel = transfer[
                (transfer["method"] == method)
                & (transfer["train_dist"] == dist)
                & (transfer["test_dist"] == dist)
            ]
            row[method] = _fmt(sel.iloc[0]) if len(sel) else "not run"
        for method in BASELINES:
            sel = baselines_df[
                (baselines_df["method"] == method) & (baselines_df["test_dist"] == dist)
            ]
            row[method] = _fmt(sel.iloc[0]) if len(sel) else "not run"
        rows.append(row)
    return pd.DataFrame(rows)


def _regret(df, **where) -> pd.Series | None:
    sel = df
    for k, v in where.items():
        sel = sel[sel[k] == v]
    return sel.iloc[0] if len(sel) else None


def headline_markdown(baselines_df: pd.DataFrame, transfer: pd.DataFrame) -> str:
    """The in-distribution claim on uniform-dependent bandits, stated from the numbers."""
    dist = "uniform_dependent"
    ts = _regret(baselines_df, method="thompson", test_dist=dist)
    bo = _regret(baselines_df, method="bayes_optimal", test_dist=dist)
    if ts is None:
        return "Uniform-dependent bandits were not part of this run."
    lines = [
        f"On **{dist}** bandits over {int(ts['horizon'])} steps ({int(ts['n_lifetimes'])} test "
        f"lifetimes), Thompson sampling's regret is {_fmt(ts)}"
        + (
            f" and the Bayes-optimal policy's {_fmt(bo)} (exact DP: {bo['regret_exact']:.3f})."
            if bo is not None
            else "."
        )
    ]
    for method in AGENTS:
        r = _regret(transfer, method=method, train_dist=dist, test_dist=dist)
        if r is None:
            continue
        diff = r["regret_mean"] - ts["regret_mean"]
        se = float(np.hypot(r["regret_sem"], ts["regret_sem"]))
        verdict = (
            "below"
            if diff < -2 * se
            else ("above" if diff > 2 * se else "not distinguishable from")
        )
        lines.append(
            f"- {method} meta-trained on {dist}: {_fmt(r)}, {verdict} Thompson's "
            f"(difference {diff:+.2f} ± {se:.2f})."
        )
    return "\n".join(lines)


def transfer_markdown(transfer: pd.DataFrame) -> str:
    """How much regret rises off the training distribution, per method (mean over off-diagonal)."""
    lines = []
    for method, g in transfer.groupby("method", sort=False):
        diag = g[g["train_dist"] == g["test_dist"]]["regret_mean"].mean()
        off = g[g["train_dist"] != g["test_dist"]]
        lines.append(
            f"- {method}: mean regret {diag:.2f} in distribution, {off['regret_mean'].mean():.2f} "
            f"off distribution (mean over {len(off)} train/test pairs; worst "
            f"{off['regret_mean'].max():.2f}, trained on {off.loc[off['regret_mean'].idxmax(), 'train_dist']}"
            f" tested on {off.loc[off['regret_mean'].idxmax(), 'test_dist']})."
            if len(off)
            else f"- {method}: mean regret {diag:.2f} in distribution."
        )
    return "\n".join(lines)


def unseen_markdown(unseen: pd.DataFrame) -> str:
    """The unseen-action results in words, each number read from the table."""
    lines = []
    learned = unseen[unseen["train_dist"] == "biased"]
    for (method, reduce), g in learned.groupby(["method", "message_reduce"], sort=False):
        name = method + (f" ({reduce})" if reduce else "")
        a, p, r = (_regret(g, setting=s) for s in ("as_trained", "permuted", "reversed"))
        if a is None or r is None:
            continue
        ratio = r["regret_mean"] / max(a["regret_mean"], 1e-9)
        se = float(np.hypot(a["regret_sem"], r["regret_sem"]))
        diff = r["regret_mean"] - a["regret_mean"]
        verdict = (
            "no worse with the bias reversed: it learns from reward"
            if diff < 2 * se
            else f"{ratio:.1f}x the regret with the bias reversed: it relied on arm 0"
        )
        lines.append(
            f"- {name}, trained on `biased`: {_fmt(a)} as trained, "
            + (f"{_fmt(p)} with arms permuted, " if p is not None else "")
            + f"{_fmt(r)} with the bias reversed; {verdict}."
        )
    ts = unseen[(unseen["method"] == "thompson") & unseen["test_dist"].str.startswith("biased")]
    for _, row in ts.iterrows():
        lines.append(f"- thompson on {row['test_dist']} ({row['setting']}): {_fmt(row)}.")
    more = unseen[unseen["setting"] == "more_arms"]
    for (method, reduce), g in more.groupby(["method", "message_reduce"], sort=False):
        if method in ("random", "ucb1", "thompson"):
            continue
        name = method + (f" ({reduce})" if reduce else "")
        parts = []
        for _, row in g.sort_values("num_arms").iterrows():
            k = row["num_arms"]
            if not np.isfinite(row["regret_mean"]):
                parts.append(f"K={k}: cannot run")
                continue
            rnd = _regret(more, method="random", num_arms=k)
            ts = _regret(more, method="thompson", num_arms=k)
            verdict = ""
            if rnd is not None:
                diff = rnd["regret_mean"] - row["regret_mean"]
                se = float(np.hypot(rnd["regret_sem"], row["regret_sem"]))
                verdict = (
                    f"{row['regret_mean'] / rnd['regret_mean']:.0%} of random's {rnd['regret_mean']:.2f}"
                    + (", below random" if diff > 2 * se else ", no better than random")
                )
            if ts is not None:
                verdict += f"; Thompson {ts['regret_mean']:.2f}"
            parts.append(f"K={k}: {_fmt(row)} ({verdict})")
        lines.append(
            f"- {name}, meta-trained on 2 arms, tested with K arms: " + "; ".join(parts) + "."
        )
    sym = more[(more["method"] == "symla") & np.isfinite(more["regret_mean"])]
    if sym["message_reduce"].nunique() > 1:
        k = sym["num_arms"].max()
        at_k = sym[sym["num_arms"] == k].sort_values("regret_mean")
        best, worst = at_k.iloc[0], at_k.iloc[-1]
        lines.append(
            f"- With K={k} arms SymLA with `{best['message_reduce']}` messages has the lower regret "
            f"({_fmt(best)} vs {_fmt(worst)} with `{worst['message_reduce']}`)."
        )
    return "\n".join(lines)
