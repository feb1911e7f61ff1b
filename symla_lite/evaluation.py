"""Meta-testing: one test set per setting, every method run on it in padded chunks, summarised.

A test set (`test_set`) holds the tasks (environment params) and one key per lifetime, drawn from one
key by one rule, so that every method meets the very same tasks and keys (common random numbers),
and the tasks of one distribution can be run in an environment built for another (e.g. the same arms
behind a permutation). `run` executes the lifetimes in chunks with one compiled function per agent,
environment configuration (not instance), lifetime length and recorded fields; the last chunk is
padded to the compiled size. Summaries: `regret` (bandits), `episode_returns` and `summarise`
(returns), `sem` (the one standard-error helper).
"""

import dataclasses
from dataclasses import dataclass

import jax
import numpy as np
import pandas as pd

from symla_lite import compilation, rollout
from symla_lite.agents import Reinforce

TEST_KEY = 2**31 - 1  # never used by meta-training, whose keys derive from the training seed
_MAX_COMPILED = 64


def test_key(seed: int, name: str = "") -> jax.Array:
    """The key of one test set: fixed per (seed, name), disjoint from meta-training keys."""
    key = jax.random.fold_in(jax.random.key(TEST_KEY), seed)
    for ch in name.encode():
        key = jax.random.fold_in(key, ch)
    return key


def sem(values) -> float:
    """Standard error of the mean of `values` (NaN for fewer than two)."""
    v = np.asarray(values, np.float64)
    return float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")


@dataclass(frozen=True)
class TestSet:
    """env: the environment that runs the lifetimes; tasks: its params with a leading axis [n];
    keys: one lifetime key per task, key[n]."""

    env: object
    tasks: object
    keys: jax.Array

    @property
    def n(self) -> int:
        return int(self.keys.shape[0])


def test_set(sampler, key: jax.Array, num: int, env=None) -> TestSet:
    """`num` tasks drawn by `sampler.sample_params` and their lifetime keys, all from `key`.

    env: the environment that runs them (default: the sampler itself), e.g. one built for the
    uniform distribution running tasks drawn from another.
    """
    if num < 1:
        raise ValueError(f"a test set needs at least one task, got num={num}")
    k_tasks, k_life = jax.random.split(key)
    tasks = jax.vmap(sampler.sample_params)(jax.random.split(k_tasks, num))
    return TestSet(
        env=sampler if env is None else env, tasks=tasks, keys=jax.random.split(k_life, num)
    )


def env_config(env) -> tuple:
    """A hashable description of an environment: its class and fields, recursively (environments
    compare by identity, so two instances built alike would otherwise compile twice)."""
    if dataclasses.is_dataclass(env) and not isinstance(env, type):
        fields = tuple((f.name, env_config(getattr(env, f.name))) for f in dataclasses.fields(env))
        return (type(env).__module__, type(env).__qualname__, fields)
    if hasattr(env, "__dict__"):  # e.g. a gymnax environment inside an adapter
        items = tuple(sorted((k, repr(v)) for k, v in vars(env).items()))
        return (type(env).__module__, type(env).__qualname__, items)
    return (type(env).__qualname__, repr(env))


_compiled: dict = {}


def _lifetimes_fn(agent, env, length: int, fields: tuple[str, ...]):
    """The jitted (params, tasks[n], keys[n]) -> tuple of Lifetime fields [n, L, ...]."""
    k = (agent, env_config(env), length, fields)
    if k not in _compiled:
        if len(_compiled) >= _MAX_COMPILED:
            _compiled.clear()

        def run(params, tasks, keys):
            one = lambda task, key: rollout.run_lifetime(agent, params, env, task, key, length)  # noqa: E731
            lt = jax.vmap(one)(tasks, keys)
            return tuple(getattr(lt, f) for f in fields)

        _compiled[k] = jax.jit(run, compiler_options=compilation.options(agent, "evaluation"))
    return _compiled[k]


def run(agent, params, test: TestSet, length: int, fields=("rewards",), chunk: int = 2048) -> dict:
    """One lifetime of `length` steps per task of `test`: {field: np.ndarray[n, L]} for each of
    `fields` (Lifetime fields: rewards, actions, dones, regret, logits).

    Runs `chunk` lifetimes at a time; a short last chunk is padded with the first tasks of the set
    to the compiled size (one compilation), and the padding is dropped.
    """
    n, fields = test.n, tuple(fields)
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    fn = _lifetimes_fn(agent, test.env, int(length), fields)
    parts: dict = {f: [] for f in fields}
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        tasks = jax.tree.map(lambda x, a=start, b=stop: x[a:b], test.tasks)
        keys = test.keys[start:stop]
        if stop - start < chunk and n > chunk:
            pad = chunk - (stop - start)
            tasks = jax.tree.map(lambda x, t, p=pad: np.concatenate([x, t[:p]]), tasks, test.tasks)
            keys = jax.numpy.concatenate([keys, test.keys[:pad]])
        for f, out in zip(fields, fn(params, tasks, keys), strict=True):
            parts[f].append(np.asarray(out)[: stop - start])
    return {f: np.concatenate(v) for f, v in parts.items()}


# ------------------------------------------------------------------------------------- bandits


@dataclass(frozen=True)
class RegretSummary:
    total: np.ndarray  # float64[n], cumulative regret of each lifetime
    curve: np.ndarray  # float64[L], mean over lifetimes of the cumulative regret up to step t
    curve_sem: np.ndarray  # float64[L], its standard error

    @property
    def n(self) -> int:
        return int(self.total.shape[0])

    @property
    def mean(self) -> float:
        return float(self.total.mean())

    @property
    def sem(self) -> float:
        return sem(self.total)


def regret(agent, params, test: TestSet, length: int, chunk: int = 2048) -> RegretSummary:
    """Cumulative regret of `agent` with `params` on every lifetime of a bandit test set."""
    r = run(agent, params, test, length, ("regret",), chunk)["regret"].astype(np.float64)
    if np.isnan(r).any():
        raise ValueError(f"environment {test.env.name} gives no regret (NaN): not a bandit?")
    cum = r.cumsum(-1)
    n = cum.shape[0]
    curve_sum, curve_sq = np.zeros(length), np.zeros(length)
    for start in range(0, n, chunk):  # accumulated per chunk, as the lifetimes are run
        curve_sum += cum[start : start + chunk].sum(0)
        curve_sq += (cum[start : start + chunk] ** 2).sum(0)
    mean = curve_sum / n
    var = np.maximum(curve_sq / n - mean**2, 0.0) * n / max(n - 1, 1)
    return RegretSummary(total=cum[:, -1], curve=mean, curve_sem=np.sqrt(var / n))


def summary_row(s: RegretSummary, **labels) -> dict:
    """One tidy row: labels, regret_mean, regret_sem, n_lifetimes."""
    return {**labels, "regret_mean": s.mean, "regret_sem": s.sem, "n_lifetimes": s.n}


def curve_frame(s: RegretSummary, **labels) -> pd.DataFrame:
    """Regret over time: one row per step t = 1..L with the mean cumulative regret and its sem."""
    steps = np.arange(1, s.curve.shape[0] + 1)
    df = pd.DataFrame({"step": steps, "cum_regret_mean": s.curve, "cum_regret_sem": s.curve_sem})
    for k, v in reversed(labels.items()):
        df.insert(0, k, v)
    return df


# ----------------------------------------------------------------------------- RL environments


def returns(agent, params, test: TestSet, length: int, chunk: int = 64):
    """Rewards and episode ends (float64[n, L], bool[n, L]) of every lifetime of `test`."""
    out = run(agent, params, test, length, ("rewards", "dones"), chunk)
    return out["rewards"].astype(np.float64), out["dones"]


def episode_returns(rewards: np.ndarray, dones: np.ndarray, max_episodes: int) -> np.ndarray:
    """float64[num, max_episodes]: return of the k-th completed episode of each lifetime (NaN if
    the lifetime completed fewer). The unfinished last episode is left out."""
    num = rewards.shape[0]
    out = np.full((num, max_episodes), np.nan)
    for i in range(num):
        ends = np.flatnonzero(dones[i])
        starts = np.concatenate([[0], ends[:-1] + 1])[: ends.size]
        for k, (a, b) in enumerate(zip(starts, ends, strict=True)):
            if k >= max_episodes:
                break
            out[i, k] = rewards[i, a : b + 1].sum()
    return out


def summarise(values: np.ndarray, **labels) -> dict:
    """One tidy row: labels, return_mean, return_sem, n_lifetimes (over the finite values)."""
    v = np.asarray(values, np.float64)
    v = v[np.isfinite(v)]
    return dict(
        labels,
        return_mean=float(v.mean()) if v.size else float("nan"),
        return_sem=sem(v),
        n_lifetimes=int(v.size),
    )


def check_lrs(lrs) -> list:
    """REINFORCE's learning rates to search (a notebook's `reinforce_lrs`): a clear error unless a
    non-empty list of finite numbers > 0."""
    lrs = list(lrs)
    if not lrs:
        raise ValueError("parameter 'reinforce_lrs' is empty: give at least one learning rate")
    bad = [
        lr
        for lr in lrs
        if isinstance(lr, bool) or not isinstance(lr, int | float) or not 0 < lr < float("inf")
    ]
    if bad:
        raise ValueError(
            f"parameter 'reinforce_lrs': learning rates must be finite numbers > 0, got {bad}"
        )
    return lrs


def reinforce_lr_search(test: TestSet, lrs, length: int, runtime_lr: bool = False) -> pd.DataFrame:
    """Mean lifetime return of REINFORCE on `test` for each learning rate: lr, return_mean, ...

    runtime_lr: give the rate as params ({"lr": rate}, see `agents.reinforce`): one compilation
    for every rate instead of one per rate."""
    rows = []
    for lr in lrs:
        if runtime_lr:
            r, _ = returns(Reinforce(), {"lr": np.float32(lr)}, test, length)
        else:
            r, _ = returns(Reinforce(lr=float(lr)), {}, test, length)
        rows.append(summarise(r.sum(1), lr=float(lr)))
    return pd.DataFrame(rows)
