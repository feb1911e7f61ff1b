"""Bandits experiment (SPEC section 4 item 2): SymLA vs MetaRNN vs fixed baselines.

- `baselines_table`: random, UCB1, Thompson and the exact Bayes-optimal policy on each distribution.
- `train_all`: meta-train an agent per (method, training distribution) with checkpoints.
- `transfer_table`: every trained agent meta-tested on every distribution.
- `unseen_actions_table`: (a) arms permuted, (b) bias reversed, (c) 3, 5, 10 independent arms.
- `plot_*`: the figures; `*_markdown`: narrative built from the result tables.

All methods meet the same test tasks and keys per test setting (common random numbers).
"""

from dataclasses import dataclass, field

import jax
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from symla_lite import baselines, bayes_optimal, envs, evaluation, meta
from symla_lite.envs.bandit import BIAS, DISTRIBUTIONS
from symla_lite.presets import preset as preset_table

BASELINES = baselines.BASELINES
AGENTS = ("symla", "metarnn")
N_TEST = {"smoke": 10_000, "lite": 10_000, "paper": 100_000}
MORE_ARMS = (2, 3, 5, 10)
SHORT = {
    "uniform_independent": "unif. indep.",
    "uniform_dependent": "unif. dep.",
    "easy_dependent": "easy",
    "medium_dependent": "medium",
    "hard_dependent": "hard",
}


@dataclass
class Setup:
    """What one run of the experiment uses. horizon and hidden come from the preset."""

    preset: str = "lite"
    seed: int = 0
    n_test: int | None = None
    chunk: int = 2500
    _runners: dict = field(default_factory=dict)
    _tasks: dict = field(default_factory=dict)

    def __post_init__(self):
        hp = preset_table(self.preset, "bandit")
        self.horizon = int(hp["lifetime"])
        if self.n_test is None:
            self.n_test = N_TEST[self.preset]
        if self.n_test < 2:
            raise ValueError(f"n_test must be >= 2, got {self.n_test}")

    def runner(self, num_arms: int, permuted: bool = False):
        """The environment that runs tasks of `num_arms` arms (one instance: compiled once)."""
        k = (num_arms, permuted)
        if k not in self._runners:
            base = self.runner(num_arms) if permuted else None
            self._runners[k] = (
                envs.ActionPermutation(base)
                if permuted
                else envs.make("bandit", dist="uniform_independent", num_arms=num_arms)
            )
        return self._runners[k]

    def tasks(self, dist: str, num_arms: int = 2, permuted: bool = False):
        """The test set of one setting: (env to run, tasks, key); the same for every method."""
        k = (dist, num_arms, permuted)
        if k not in self._tasks:
            name = f"{dist}-{num_arms}-{'perm' if permuted else 'id'}"
            key = evaluation.test_key(self.seed, name)
            k_tasks, k_life = jax.random.split(key)
            sampler = envs.make("bandit", dist=dist, num_arms=num_arms, permute_actions=permuted)
            tasks = evaluation.sample_tasks(sampler, k_tasks, self.n_test)
            self._tasks[k] = (self.runner(num_arms, permuted), tasks, k_life)
        return self._tasks[k]

    def evaluate(self, agent, params, dist: str, num_arms: int = 2, permuted: bool = False):
        env, tasks, key = self.tasks(dist, num_arms, permuted)
        return evaluation.regret(agent, params, env, tasks, key, self.horizon, self.chunk)


def baseline_agent(method: str, prior: str, horizon: int):
    """(agent, params) of a fixed baseline; bayes_optimal is optimal for `prior` at `horizon`."""
    if method == "bayes_optimal":
        agent = baselines.make(method, prior=prior, horizon=horizon)
        return agent, agent.init(None)
    return baselines.make(method), {}


def baselines_table(setup: Setup, dists=DISTRIBUTIONS, methods=BASELINES):
    """One row per baseline and test distribution, and their regret-over-time curves.

    The Bayes-optimal rows also carry `regret_exact`, the DP's expected regret.
    """
    rows, curves = [], []
    for dist in dists:
        for method in methods:
            agent, params = baseline_agent(method, dist, setup.horizon)
            s = setup.evaluate(agent, params, dist)
            exact = (
                bayes_optimal.solve(dist, setup.horizon).regret
                if method == "bayes_optimal"
                else np.nan
            )
            rows.append(
                evaluation.summary_row(
                    s, method=method, test_dist=dist, num_arms=2, horizon=setup.horizon
                )
                | {"regret_exact": exact}
            )
            curves.append(evaluation.curve_frame(s, method=method, test_dist=dist))
    return pd.DataFrame(rows), pd.concat(curves, ignore_index=True)


def train_config(setup: Setup, method: str, dist: str, reduce: str = "sum", **kw):
    agent_kwargs = {"message_reduce": reduce} if method == "symla" else {}
    return meta.TrainConfig(
        agent=method,
        agent_kwargs=agent_kwargs,
        env="bandit",
        env_kwargs={"dist": dist, "num_arms": 2},
        preset=setup.preset,
        seed=setup.seed,
        resume="auto",
        **kw,
    )


def run_tag(method: str, dist: str, reduce: str = "sum") -> str:
    return f"{method}-{dist}" + (f"-{reduce}" if method == "symla" and reduce != "sum" else "")


def train_all(setup: Setup, out, jobs) -> dict:
    """Meta-train each (method, train_dist, message_reduce) in `jobs`; returns {job: TrainResult}."""
    results = {}
    for method, dist, reduce in jobs:
        if method not in AGENTS:
            raise ValueError(f"unknown agent {method!r}; choose one of {AGENTS}")
        config = train_config(
            setup,
            method,
            dist,
            reduce,
            checkpoint_dir=out.checkpoints(run_tag(method, dist, reduce)),
        )
        results[(method, dist, reduce)] = meta.train(config)
    return results


def training_frame(results: dict) -> pd.DataFrame:
    frames = []
    for (method, dist, reduce), res in results.items():
        h = res.history.copy()
        h.insert(0, "message_reduce", reduce if method == "symla" else "")
        h.insert(0, "train_dist", dist)
        h.insert(0, "method", method)
        frames.append(h)
    return pd.concat(frames, ignore_index=True)


def jobs(dists=DISTRIBUTIONS, agents=AGENTS, unseen_reduces=("sum",)) -> list:
    """The meta-training runs (method, train_dist, message_reduce) the experiment needs.

    Transfer: every agent on every distribution in `dists` (SymLA with "sum"). Unseen actions:
    every agent on `biased` and `uniform_independent`, SymLA once per reduce in `unseen_reduces`.
    """
    out = [(m, d, "sum") for d in dists for m in agents]
    for d in ("biased", "uniform_independent"):
        for m in agents:
            out += [(m, d, r) for r in unseen_reduces] if m == "symla" else [(m, d, "sum")]
    return list(dict.fromkeys(out))


def transfer_table(setup: Setup, results: dict, dists=DISTRIBUTIONS):
    """Agents (SymLA with "sum") trained on each of `dists`, tested on each; curves in-dist."""
    rows, curves = [], []
    test_dists = dists
    for (method, train_dist, reduce), res in results.items():
        if reduce != "sum" or train_dist not in dists:
            continue
        for test_dist in test_dists:
            s = setup.evaluate(res.agent, res.params, test_dist)
            rows.append(
                evaluation.summary_row(
                    s,
                    method=method,
                    train_dist=train_dist,
                    test_dist=test_dist,
                    num_arms=2,
                    horizon=setup.horizon,
                )
                | {"preset": setup.preset}
            )
            if test_dist == train_dist:
                curves.append(evaluation.curve_frame(s, method=method, test_dist=test_dist))
    return pd.DataFrame(rows), pd.concat(curves, ignore_index=True) if curves else pd.DataFrame()


def _cannot_run(agent, num_arms: int) -> str | None:
    """The agent's own error message if it cannot run with `num_arms` arms, else None."""
    try:
        agent.initial_state(jax.random.key(0), 1, num_arms)
    except ValueError as err:
        return f"cannot run: {err}"
    return None


def unseen_actions_table(setup: Setup, results: dict, more_arms=MORE_ARMS) -> pd.DataFrame:
    """Unseen action spaces for agents meta-trained on two arms.

    setting "as_trained" / "permuted" / "reversed": trained on `biased` (arm 0 is the better arm in
    BIAS of the lifetimes), tested on biased, on biased with the arms permuted per lifetime, and on
    `biased_reversed`; also agents trained on uniform_independent with the arms permuted.
    setting "more_arms": trained on uniform_independent, tested with K independent uniform arms.
    Baselines (random, UCB1, Thompson) are measured on every test setting for reference.
    """
    tests = []
    for train_dist in ("biased", "uniform_independent"):
        if train_dist == "biased":
            tests += [
                (train_dist, "as_trained", "biased", 2, False),
                (train_dist, "permuted", "biased", 2, True),
                (train_dist, "reversed", "biased_reversed", 2, False),
            ]
        else:
            tests += [(train_dist, "permuted", "uniform_independent", 2, True)]
            tests += [(train_dist, "more_arms", "uniform_independent", k, False) for k in more_arms]
    rows = []
    for train_dist, setting, test_dist, k, permuted in tests:
        for (method, tdist, reduce), res in results.items():
            if tdist != train_dist:
                continue
            label = dict(
                method=method,
                message_reduce=reduce if method == "symla" else "",
                train_dist=train_dist,
                setting=setting,
                test_dist=test_dist,
                num_arms=k,
                horizon=setup.horizon,
            )
            note = _cannot_run(res.agent, k)
            if note is not None:
                rows.append(label | dict(regret_mean=np.nan, regret_sem=np.nan, n_lifetimes=0))
                rows[-1]["note"] = note
                continue
            s = setup.evaluate(res.agent, res.params, test_dist, k, permuted)
            rows.append(evaluation.summary_row(s, **label) | {"note": ""})
    done = set()
    for _, setting, test_dist, k, permuted in tests:
        if (test_dist, k, permuted) in done:
            continue
        done.add((test_dist, k, permuted))
        for method in ("random", "ucb1", "thompson"):
            agent, params = baseline_agent(method, test_dist, setup.horizon)
            s = setup.evaluate(agent, params, test_dist, k, permuted)
            label = dict(
                method=method,
                message_reduce="",
                train_dist="none (fixed algorithm)",
                setting=setting,
                test_dist=test_dist,
                num_arms=k,
                horizon=setup.horizon,
            )
            rows.append(
                evaluation.summary_row(s, **label) | {"note": "fixed algorithm, no training"}
            )
    df = pd.DataFrame(rows)
    df["preset"] = setup.preset
    return df


# ---------------------------------------------------------------------------------------- figures


def plot_regret_curves(curves: pd.DataFrame, dists=DISTRIBUTIONS):
    """Mean cumulative regret over the lifetime per method, one panel per test distribution."""
    fig, axes = plt.subplots(1, len(dists), figsize=(3.6 * len(dists), 3.2), sharex=True)
    axes = np.atleast_1d(axes)
    methods = list(dict.fromkeys(curves["method"]))
    palette = dict(zip(methods, sns.color_palette("tab10", len(methods))))
    for ax, dist in zip(axes, dists):
        sub = curves[curves["test_dist"] == dist]
        for method, g in sub.groupby("method", sort=False):
            ax.plot(g["step"], g["cum_regret_mean"], label=method, color=palette[method])
            ax.fill_between(
                g["step"],
                g["cum_regret_mean"] - g["cum_regret_sem"],
                g["cum_regret_mean"] + g["cum_regret_sem"],
                color=palette[method],
                alpha=0.2,
            )
        ax.set_title(dist)
        ax.set_xlabel("step t")
        others = sub[sub["method"] != "random"]
        if len(others) and (sub["method"] == "random").any():
            # random's regret grows linearly and would flatten every other curve: clip it
            ax.set_ylim(0, 1.6 * others["cum_regret_mean"].max())
    axes[0].set_ylabel("cumulative regret (random clipped)")
    axes[-1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_transfer_heatmaps(transfer: pd.DataFrame, dists=DISTRIBUTIONS):
    """Train x test regret heat maps for SymLA and MetaRNN side by side (shared colour scale)."""
    methods = [m for m in AGENTS if m in set(transfer["method"])]
    fig, axes = plt.subplots(1, len(methods), figsize=(5.2 * len(methods), 4.4), squeeze=False)
    vmax = transfer["regret_mean"].max()
    labels = [SHORT.get(d, d) for d in dists]
    for ax, method in zip(axes[0], methods):
        grid = (
            transfer[transfer["method"] == method]
            .pivot(index="train_dist", columns="test_dist", values="regret_mean")
            .reindex(index=list(dists), columns=list(dists))
        )
        sns.heatmap(
            grid,
            ax=ax,
            annot=True,
            fmt=".2f",
            vmin=0,
            vmax=vmax,
            cmap="viridis_r",
            xticklabels=labels,
            yticklabels=labels,
            cbar_kws={"label": "cumulative regret"},
        )
        ax.set_title(f"{method}: regret, meta-train x meta-test")
        ax.set_xlabel("meta-test distribution")
        ax.set_ylabel("meta-train distribution")
    fig.tight_layout()
    return fig


def plot_unseen_actions(unseen: pd.DataFrame):
    """Left: trained on `biased`, tested as trained / permuted / reversed. Right: regret vs K."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    df = unseen.copy()
    df["label"] = df["method"] + np.where(
        df["message_reduce"].fillna("") != "", " (" + df["message_reduce"].fillna("") + ")", ""
    )
    # one colour per method in both panels
    colors = dict(zip(df["label"].unique(), sns.color_palette(n_colors=df["label"].nunique())))
    left = df[(df["test_dist"].str.startswith("biased"))]
    hue_order = list(left["label"].unique())
    sns.barplot(
        data=left,
        x="setting",
        y="regret_mean",
        hue="label",
        hue_order=hue_order,
        palette=colors,
        ax=ax1,
        order=["as_trained", "permuted", "reversed"],
    )
    bars = list(ax1.containers)  # a copy: each errorbar below adds a container
    for cont, label in zip(bars, hue_order, strict=True):
        g = left[left["label"] == label]
        err = g.set_index("setting").reindex(["as_trained", "permuted", "reversed"])["regret_sem"]
        xs = [bar.get_x() + bar.get_width() / 2 for bar in cont]
        ys = [bar.get_height() for bar in cont]
        ax1.errorbar(xs, ys, yerr=err.to_numpy(), fmt="none", color="k", lw=1)
    ax1.set_title(f"trained on 'biased' (arm 0 best in {BIAS:.0%})")
    ax1.set_ylabel("cumulative regret")
    ax1.legend(fontsize=8)
    right = df[df["setting"] == "more_arms"]
    for label, g in right.groupby("label", sort=False):
        ok = g.dropna(subset=["regret_mean"])
        if ok.empty:
            continue
        ax2.errorbar(
            ok["num_arms"],
            ok["regret_mean"],
            yerr=ok["regret_sem"],
            marker="o",
            label=label,
            color=colors[label],
            capsize=3,
        )
    missing = right[right["regret_mean"].isna()]
    if not missing.empty:
        names = ", ".join(sorted(set(missing["label"])))
        ks = ", ".join(str(k) for k in sorted(set(missing["num_arms"])))
        ax2.text(
            0.98,
            0.03,
            f"{names}: cannot run with K = {ks}",
            transform=ax2.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
        )
    ax2.set_xlabel("number of arms K (meta-trained on 2)")
    ax2.set_ylabel("cumulative regret")
    ax2.set_title("uniform independent arms, more than at meta-training")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_training(training: pd.DataFrame):
    """Mean population fitness (summed reward per lifetime) over ES generations."""
    df = training.copy()
    df["run"] = df["method"] + np.where(
        df["message_reduce"].fillna("").isin(["", "sum"]),
        "",
        " (" + df["message_reduce"].fillna("") + ")",
    )
    dists = list(dict.fromkeys(df["train_dist"]))
    fig, axes = plt.subplots(1, len(dists), figsize=(3.4 * len(dists), 3), squeeze=False)
    for ax, dist in zip(axes[0], dists):
        for run, g in df[df["train_dist"] == dist].groupby("run", sort=False):
            ax.plot(g["generation"], g["mean_fitness"], label=run)
        ax.set_title(f"trained on {dist}", fontsize=9)
        ax.set_xlabel("generation")
    axes[0][0].set_ylabel("mean fitness (reward per lifetime)")
    axes[0][-1].legend(fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------- narrative


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
