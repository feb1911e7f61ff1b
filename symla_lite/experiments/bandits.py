"""Bandits experiment (SPEC section 4 item 2), computation: SymLA vs MetaRNN vs fixed baselines.

- `baselines_table`: random, UCB1, Thompson and the exact Bayes-optimal policy on each distribution.
- `train_all`: meta-train an agent per (method, training distribution), `presets.NUM_SEEDS`
  meta-training seeds in one program per job, with a checkpoint per job.
- `transfer_table`: every trained agent (every seed) meta-tested on every distribution.
- `unseen_actions_table`: (a) arms permuted, (b) bias reversed, (c) 3, 5, 10 independent arms.
- `run`: all of it, as a dict of DataFrames. Figures: `symla_lite.plots.bandits`; the claims in
  words: `symla_lite.claims.bandits`.

All methods and seeds meet the same test tasks and keys per test setting (common random numbers).
Rows of meta-learned agents carry their meta-training `seed`; fixed baselines carry NA there.
"""

from dataclasses import dataclass, field

import jax
import numpy as np
import pandas as pd

from symla_lite import agents, envs, evaluation, meta, presets
from symla_lite.agents import bayes_optimal
from symla_lite.agents.symla import SymLA
from symla_lite.envs.bandit import DISTRIBUTIONS

BASELINES = ("random", "ucb1", "thompson", "bayes_optimal")
AGENTS = ("symla", "metarnn")
MORE_ARMS = (2, 3, 5, 10)
DEFAULT_REDUCE = SymLA.message_reduce  # SymLA's default message reduction


@dataclass
class Setup:
    """What one run of the experiment uses: the preset's sizes, the seed and the test sets.

    horizon: the lifetime of the bandit meta-training config (every method is tested over it);
    n_test: test lifetimes per setting (None: the preset's `bandit_tests`);
    seeds: the meta-training seeds of every job, `presets.seeds(seed, num_seeds)`.
    """

    preset: str = "lite"
    seed: int = 0
    n_test: int | None = None
    num_seeds: int = presets.NUM_SEEDS
    chunk: int = 2500
    _tests: dict = field(default_factory=dict)

    def __post_init__(self):
        self.horizon = int(meta.TrainConfig(env="bandit", preset=self.preset).hyper()["lifetime"])
        if self.n_test is None:
            self.n_test = presets.evaluation(self.preset)["bandit_tests"]
        if self.n_test < 2:
            raise ValueError(f"n_test must be >= 2, got {self.n_test}")
        self.seeds = presets.seeds(self.seed, self.num_seeds)

    def test(self, dist: str, num_arms: int = 2, permuted: bool = False) -> evaluation.TestSet:
        """The test set of one setting, the same for every method: tasks of `dist` run in the
        uniform-independent bandit with `num_arms` arms (behind a per-lifetime permutation)."""
        k = (dist, num_arms, permuted)
        if k not in self._tests:
            key = evaluation.test_key(
                self.seed, f"{dist}-{num_arms}-{'perm' if permuted else 'id'}"
            )
            sampler = envs.make("bandit", dist=dist, num_arms=num_arms, permute_actions=permuted)
            runner = envs.make(
                "bandit", dist="uniform_independent", num_arms=num_arms, permute_actions=permuted
            )
            self._tests[k] = evaluation.test_set(sampler, key, self.n_test, env=runner)
        return self._tests[k]

    def evaluate(self, agent, params, dist: str, num_arms: int = 2, permuted: bool = False):
        test = self.test(dist, num_arms, permuted)
        return evaluation.regret(agent, params, test, self.horizon, self.chunk)


def baseline_agent(method: str, prior: str, horizon: int):
    """(agent, params) of a fixed baseline; bayes_optimal is optimal for `prior` at `horizon`."""
    if method == "bayes_optimal":
        agent = agents.make(method, prior=prior, horizon=horizon)
        return agent, agent.init(None)
    return agents.make(method), {}


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


def train_config(setup: Setup, method: str, dist: str, reduce: str = DEFAULT_REDUCE, **kw):
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


def run_tag(method: str, dist: str, reduce: str = DEFAULT_REDUCE) -> str:
    return f"{method}-{dist}" + (f"-{reduce}" if method == "symla" else "")


def train_all(setup: Setup, checkpoints, jobs) -> dict:
    """Meta-train each (method, train_dist, message_reduce) in `jobs`, every seed of
    `setup.seeds` in one program; returns {job: [TrainResult per seed]}.

    checkpoints: run tag -> checkpoint folder (e.g. `Outputs.checkpoints`), one per job."""
    results = {}
    for method, dist, reduce in jobs:
        if method not in AGENTS:
            raise ValueError(f"unknown agent {method!r}; choose one of {AGENTS}")
        config = train_config(
            setup,
            method,
            dist,
            reduce,
            checkpoint_dir=checkpoints(run_tag(method, dist, reduce)),
        )
        results[(method, dist, reduce)] = meta.train_seeds(config, setup.seeds)
    return results


def _seeded(results: dict):
    """(job, seed, TrainResult) for every job and meta-training seed."""
    for job, runs in results.items():
        for res in runs:
            yield job, int(res.config.seed), res


def no_seed(df: pd.DataFrame) -> pd.DataFrame:
    """A fixed baseline's rows with an NA `seed` column (nullable integers) after `method`."""
    df = df.copy()
    df.insert(int(df.columns.get_loc("method")) + 1, "seed", pd.array([pd.NA] * len(df), "Int64"))
    return df


def training_frame(results: dict) -> pd.DataFrame:
    frames = []
    for (method, dist, reduce), seed, res in _seeded(results):
        h = res.history.copy()
        h.insert(0, "message_reduce", reduce if method == "symla" else "")
        h.insert(0, "train_dist", dist)
        h.insert(0, "seed", seed)
        h.insert(0, "method", method)
        frames.append(h)
    return pd.concat(frames, ignore_index=True)


def jobs(dists=DISTRIBUTIONS, agents=AGENTS, unseen_reduces=(DEFAULT_REDUCE,)) -> list:
    """The meta-training runs (method, train_dist, message_reduce) the experiment needs.

    Transfer: every agent on every distribution in `dists` (SymLA with its default reduction,
    DEFAULT_REDUCE). Unseen actions:
    every agent on `biased` and `uniform_independent`, SymLA once per reduce in `unseen_reduces`.
    """
    out = [(m, d, DEFAULT_REDUCE) for d in dists for m in agents]
    for d in ("biased", "uniform_independent"):
        for m in agents:
            out += [(m, d, r) for r in unseen_reduces] if m == "symla" else [(m, d, DEFAULT_REDUCE)]
    return list(dict.fromkeys(out))


def transfer_table(setup: Setup, results: dict, dists=DISTRIBUTIONS):
    """Agents (SymLA with DEFAULT_REDUCE) trained on each of `dists`, tested on each, a row per seed;
    regret curves in distribution, per seed."""
    rows, curves = [], []
    test_dists = dists
    for (method, train_dist, reduce), seed, res in _seeded(results):
        if reduce != DEFAULT_REDUCE or train_dist not in dists:
            continue
        for test_dist in test_dists:
            s = setup.evaluate(res.agent, res.params, test_dist)
            rows.append(
                evaluation.summary_row(
                    s,
                    method=method,
                    seed=seed,
                    train_dist=train_dist,
                    test_dist=test_dist,
                    num_arms=2,
                    horizon=setup.horizon,
                )
                | {"preset": setup.preset}
            )
            if test_dist == train_dist:
                curves.append(
                    evaluation.curve_frame(s, method=method, seed=seed, test_dist=test_dist)
                )
    df = pd.DataFrame(rows)
    if len(df):
        df["seed"] = df["seed"].astype("Int64")
    curves = pd.concat(curves, ignore_index=True) if curves else pd.DataFrame()
    if len(curves):
        curves["seed"] = curves["seed"].astype("Int64")
    return df, curves


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
        for (method, tdist, reduce), seed, res in _seeded(results):
            if tdist != train_dist:
                continue
            label = dict(
                method=method,
                seed=seed,
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
                seed=pd.NA,
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
    df["seed"] = df["seed"].astype("Int64")
    df["preset"] = setup.preset
    return df


def run(setup: Setup, checkpoints, dists=DISTRIBUTIONS, methods=AGENTS, more_arms=MORE_ARMS,
        unseen_reduces=(DEFAULT_REDUCE,)) -> dict:  # fmt: skip
    """The whole experiment: {"baselines", "baseline_curves", "training", "transfer",
    "regret_curves", "unseen_actions"} (DataFrames, per seed; baselines without one);
    checkpoints: tag -> folder."""
    baselines_df, baseline_curves = baselines_table(setup, dists)
    runs = train_all(setup, checkpoints, jobs(dists, methods, unseen_reduces))
    transfer_df, agent_curves = transfer_table(setup, runs, dists)
    return {
        "baselines": baselines_df,
        "training": training_frame(runs),
        "transfer": transfer_df,
        "regret_curves": pd.concat([no_seed(baseline_curves), agent_curves], ignore_index=True),
        "unseen_actions": unseen_actions_table(setup, runs, more_arms),
    }
