"""Meta-testing: many lifetimes of an agent, run in memory-bounded chunks, summarised as regret.

The tasks (environment params) are drawn first, so different methods can meet the very same tasks
and keys (common random numbers), and the tasks of one distribution can be run in an environment
built for another (e.g. the same arms behind a permutation). One compiled function serves every
chunk, every parameter set and every task set of the same shapes: params and tasks are arguments.
"""

import functools

import jax
import numpy as np
import pandas as pd
from flax import struct

from symla_lite import rollout

TEST_KEY = 2**31 - 1  # never used by meta-training, whose keys derive from the training seed


@struct.dataclass
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
        return float(self.total.std(ddof=1) / np.sqrt(self.n)) if self.n > 1 else float("nan")


def test_key(seed: int, name: str = "") -> jax.Array:
    """The key of one test set: fixed per (seed, name), disjoint from meta-training keys."""
    key = jax.random.fold_in(jax.random.key(TEST_KEY), seed)
    for ch in name.encode():
        key = jax.random.fold_in(key, ch)
    return key


def sample_tasks(env, key: jax.Array, num: int):
    """`num` tasks (env params with a leading axis) drawn from `env.sample_params`."""
    return jax.vmap(env.sample_params)(jax.random.split(key, num))


@functools.lru_cache(maxsize=64)
def _lifetime_fn(agent, env, length: int):
    def run(params, tasks, keys):
        one = lambda task, k: rollout.run_lifetime(agent, params, env, task, k, length)  # noqa: E731
        lt = jax.vmap(one)(tasks, keys)
        return lt.regret

    return jax.jit(run)


def regret(agent, params, env, tasks, key: jax.Array, length: int, chunk: int = 2048):
    """Cumulative regret of `agent` with `params` on each task (one lifetime per task).

    tasks: env params with a leading axis of size n (from `sample_tasks`); the lifetimes' keys come
    from `key`, one per task. Runs `chunk` lifetimes at a time; returns a RegretSummary.
    """
    n = int(jax.tree_util.tree_leaves(tasks)[0].shape[0])
    if n < 1:
        raise ValueError("regret needs at least one task")
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    keys = jax.random.split(key, n)
    fn = _lifetime_fn(agent, env, int(length))
    totals, curve_sum, curve_sq = [], np.zeros(length), np.zeros(length)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        part = jax.tree.map(lambda x, a=start, b=stop: x[a:b], tasks)
        if stop - start < chunk and n > chunk:
            # pad the last chunk to the compiled size instead of compiling a second shape
            pad = chunk - (stop - start)
            part = jax.tree.map(lambda x, t, p=pad: np.concatenate([x, t[:p]]), part, tasks)
            ks = jax.numpy.concatenate([keys[start:stop], keys[:pad]])
        else:
            ks = keys[start:stop]
        r = np.asarray(fn(params, part, ks), np.float64)[: stop - start]
        if np.isnan(r).any():
            raise ValueError(f"environment {env.name} gives no regret (NaN): not a bandit?")
        cum = r.cumsum(-1)
        totals.append(cum[:, -1])
        curve_sum += cum.sum(0)
        curve_sq += (cum**2).sum(0)
    total = np.concatenate(totals)
    mean = curve_sum / n
    var = np.maximum(curve_sq / n - mean**2, 0.0) * n / max(n - 1, 1)
    return RegretSummary(total=total, curve=mean, curve_sem=np.sqrt(var / n))


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
