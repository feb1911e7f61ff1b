"""Meta-testing on the atlas's environments, shared by the atlas and the diversity curve: each
environment's test lifetime, early / late return by quarter, the score against random and
REINFORCE, and one meta-test of many runs on many environments in parallel.

Every environment's observations are flattened and projected to 16 dims by a Glorot-normal matrix
drawn per lifetime (Appendix C.3), as at meta-training. Baselines: the random policy and
REINFORCE (its learning rate searched per environment on test lifetimes of its own). Lifetimes
concatenate episodes; their length per environment is `LIFETIMES` (see `lifetime_rule`).

Early / late return of a test lifetime: the mean return per episode of the episodes that end in its
first / last quarter (`quarter_returns`). A lifetime with no episode ending in one of them has
neither (NaN) and is left out of its method's means; a row none of whose lifetimes has both is not
scored (NaN, with a note). score = (late - random_late) / (reinforce_late - random_late): 0 is the
random policy, 1 is REINFORCE; NaN (with the reason in `note`) where REINFORCE's late return is not
above random's by more than 2 standard errors (nor by more than 1e-8), since the scale is then noise.
"""

import math
from concurrent.futures import ThreadPoolExecutor

import jax
import numpy as np
import pandas as pd

from symla_lite import agents, envs, evaluation, presets, rollout, transfer
from symla_lite.envs import ATLAS, SKIPPED
from symla_lite.transfer import DIM

LRS = (0.001, 0.01, 0.1)
MIN_DENOMINATOR = 1e-8
# The random policy is REINFORCE with learning rate 0: its weights stay zero, so its logits are the
# uniform ones of agents.make("random") and it takes the very same actions (tested); it shares
# REINFORCE's compiled program, one compilation less per environment.
RANDOM = {"lr": np.float32(0.0)}  # as evaluation.reinforce_lr_search gives rates: float32

# The random policy's mean episode length per environment: `measure_episode_lengths()` (through
# the projection, 16 lifetimes of 2,000 steps each), rounded; Freeway's episodes last its
# 2,500-step time limit (measured on 8 lifetimes of 10,000 steps).
EPISODE_LENGTHS = {
    "CartPole-v1": 22.4, "Acrobot-v1": 499.6, "MountainCar-v0": 200.0,
    "Asterix-MinAtar": 65.4, "Breakout-MinAtar": 10.0, "Freeway-MinAtar": 2500.0,
    "Seaquest-MinAtar": 27.4, "SpaceInvaders-MinAtar": 56.0,
    "Catch-bsuite": 9.0, "DeepSea-bsuite": 8.0, "MemoryChain-bsuite": 6.0,
    "UmbrellaChain-bsuite": 10.0, "DiscountingChain-bsuite": 100.0, "SimpleBandit-bsuite": 1.0,
    "FourRooms-misc": 369.2, "MetaMaze-misc": 197.3, "BernoulliBandit-misc": 100.0,
    "GaussianBandit-misc": 100.0, "Pong-misc": 87.7, "FrozenLake-misc": 7.8,
}  # fmt: skip
TARGET_EPISODES, MIN_EPISODES = 16, 4
MIN_LIFETIME, MAX_LIFETIME = 1000, 4000


def lifetime_rule(mean_episode: float) -> int:
    """Room for TARGET_EPISODES random-policy episodes, in [MIN_LIFETIME, MAX_LIFETIME], yet never
    fewer than MIN_EPISODES (the cap yields to that: Freeway), rounded up to hundreds of steps."""

    def up(x):
        return int(100 * math.ceil(x / 100))

    fit = min(MAX_LIFETIME, max(MIN_LIFETIME, up(TARGET_EPISODES * mean_episode)))
    return max(fit, up(MIN_EPISODES * mean_episode))


# The lite lifetime per environment: lifetime_rule(EPISODE_LENGTHS[env]) (tested).
LIFETIMES = {
    "CartPole-v1": 1000, "Acrobot-v1": 4000, "MountainCar-v0": 3200,
    "Asterix-MinAtar": 1100, "Breakout-MinAtar": 1000, "Freeway-MinAtar": 10000,
    "Seaquest-MinAtar": 1000, "SpaceInvaders-MinAtar": 1000,
    "Catch-bsuite": 1000, "DeepSea-bsuite": 1000, "MemoryChain-bsuite": 1000,
    "UmbrellaChain-bsuite": 1000, "DiscountingChain-bsuite": 1600, "SimpleBandit-bsuite": 1000,
    "FourRooms-misc": 4000, "MetaMaze-misc": 3200, "BernoulliBandit-misc": 1600,
    "GaussianBandit-misc": 1600, "Pong-misc": 1500, "FrozenLake-misc": 1000,
}  # fmt: skip


def check_env_ids(env_ids) -> list[str]:
    """The atlas environments asked for, in ATLAS order; a clear error for an empty list, a
    skipped environment (with its reason) or an unknown one (naming the valid ones)."""
    env_ids = list(env_ids)
    if not env_ids:
        raise ValueError(f"env_ids is empty; choose from {list(ATLAS)}")
    for e in env_ids:
        if e in SKIPPED:
            raise ValueError(f"environment {e!r} is skipped by the atlas: {SKIPPED[e]}")
        if e not in ATLAS:
            raise ValueError(f"unknown environment {e!r} in env_ids; choose from {list(ATLAS)}")
    return [e for e in ATLAS if e in env_ids]


def lifetimes(env_ids, preset: str, scale: float = 1.0) -> dict[str, int]:
    """Each environment's test lifetime: LIFETIMES x the preset's `atlas_lifetime_scale` x
    `scale` (the notebook's `lifetime`), rounded to a multiple of 4 (equal quarters), at least 8."""
    if not 0 < scale < math.inf:
        raise ValueError(
            f"parameter 'lifetime': the lifetime scale must be > 0 and finite, got {scale}"
        )
    s = presets.evaluation(preset)["atlas_lifetime_scale"] * float(scale)
    return {e: max(8, 4 * round(LIFETIMES[e] * s / 4)) for e in check_env_ids(env_ids)}


def quarter_returns(rewards: np.ndarray, dones: np.ndarray) -> pd.DataFrame:
    """Per lifetime (row): `episodes` completed; `early` / `late` = mean return of the episodes that
    end in the first / last quarter of the lifetime (`n_early`, `n_late` of them; NaN for none);
    `gain` = late - early. Quarters are L // 4 steps; the unfinished last episode is left out."""
    length = rewards.shape[1]
    q = length // 4
    rows = []
    for i in range(rewards.shape[0]):
        ends = np.flatnonzero(dones[i])
        ret = np.diff(np.concatenate([[0.0], rewards[i].cumsum()[ends]]))
        first, last = ret[ends < q], ret[ends >= length - q]
        early = float(first.mean()) if first.size else float("nan")
        late = float(last.mean()) if last.size else float("nan")
        rows.append(
            dict(lifetime_id=i, episodes=int(ends.size), n_early=int(first.size),
                 n_late=int(last.size), early=early, late=late, gain=late - early)
        )  # fmt: skip
    return pd.DataFrame(rows)


def score(late: float, random_late: float, reinforce_late: float, margin: float = 0.0):
    """(score, note): (late - random_late) / (reinforce_late - random_late), or NaN and why when
    a number is missing or the denominator is not above max(1e-8, margin) (`margin`: 2 standard
    errors of REINFORCE's late return minus random's)."""
    den = reinforce_late - random_late
    if not all(np.isfinite([late, random_late, reinforce_late])):
        return float("nan"), "not scored: no episode ends in the first or last quarter"
    if not den > max(MIN_DENOMINATOR, margin):
        return float("nan"), (
            "not scored: REINFORCE's late return is not above random's by more than "
            "max(1e-8, 2 standard errors)"
        )
    return float((late - random_late) / den), ""


def measure_episode_lengths(env_ids=ATLAS, n: int = 16, length: int = 2000) -> pd.DataFrame:
    """The random policy's completed episodes (how EPISODE_LENGTHS was measured): env, episodes,
    mean_length, median_length, max_length."""
    rows = []
    for env_id in env_ids:
        env = envs.make(env_id, project_obs=DIM)
        test = evaluation.test_set(env, evaluation.test_key(0, f"atlas/lengths/{env_id}"), n)
        _, d = evaluation.returns(agents.make("random"), {}, test, length)
        lens = np.concatenate([np.diff(np.concatenate([[-1], np.flatnonzero(x)])) for x in d])
        rows.append(
            dict(env=env_id, episodes=int(lens.size),
                 mean_length=float(lens.mean()) if lens.size else float("nan"),
                 median_length=float(np.median(lens)) if lens.size else float("nan"),
                 max_length=int(lens.max()) if lens.size else 0)
        )  # fmt: skip
    return pd.DataFrame(rows)


def _summary(lives: pd.DataFrame) -> dict:
    """One method's (and seed's) early, late and gain over its test lifetimes with both."""
    both = lives[np.isfinite(lives["gain"])]
    mean = lambda c: float(both[c].mean()) if len(both) else float("nan")  # noqa: E731
    return dict(
        episodes=float(lives["episodes"].mean()), early_return=mean("early"),
        late_return=mean("late"), learning_gain=mean("gain"),
        gain_sem=evaluation.sem(both["gain"]), late_sem=evaluation.sem(both["late"]),
        n_scored=int(len(both)),
    )  # fmt: skip


def _halves(tests: evaluation.TestSet):
    """The first and second half of a test set: REINFORCE's search meets lifetimes of its own."""
    n = tests.n // 2

    def part(a, b):
        tasks = jax.tree.map(lambda x: x[a:b], tests.tasks)
        return evaluation.TestSet(env=tests.env, tasks=tasks, keys=tests.keys[a:b])

    return part(0, n), part(n, 2 * n)


def _env_rows(env_id, env, length, n, seed, runs, lrs):
    """Per-lifetime rows, REINFORCE's search and the CSV rows of one environment."""
    tune, test = _halves(
        evaluation.test_set(env, evaluation.test_key(seed, f"atlas/{env_id}"), 2 * n)
    )
    search = evaluation.reinforce_lr_search(tune, lrs, length, runtime_lr=True)
    best = float(search.sort_values("return_mean").iloc[-1]["lr"])
    search = search.assign(env=env_id, lifetime=length, chosen=search["lr"] == best)
    reinforce = agents.make("reinforce")  # one compiled program for the search and both baselines
    fixed = [
        ("random", None, reinforce, RANDOM),
        ("reinforce", None, reinforce, {"lr": np.float32(best)}),
    ]
    base = dict(env=env_id, num_actions=env.num_actions, lifetime=length,
                obs_dim=rollout.obs_size(env.env, env.env.default_params))  # fmt: skip
    lives, rows = [], []
    for method, s, agent, params in runs + fixed:
        note = transfer.cannot_run(agent, env_id, env)
        if note:
            rows.append(dict(base, method=method, seed=s, n_scored=0, note=note))
            continue
        agent = agent.for_task(DIM, env.num_actions)  # MetaRNN at equal inputs: its task's actions
        r, d = evaluation.returns(agent, params, test, length)
        per = quarter_returns(r, d).assign(**base, method=method, seed=s)
        lives.append(per)
        rows.append(dict(base, method=method, seed=s, **_summary(per), note=""))
    return lives, rows, search


def scores(df: pd.DataFrame) -> pd.DataFrame:
    """random_late, reinforce_late and score of every row (per environment)."""
    out = []
    for _, g in df.groupby("env", sort=False):
        rnd = g[g["method"] == "random"].iloc[0]
        rf = g[g["method"] == "reinforce"].iloc[0]
        margin = 2 * math.hypot(rnd["late_sem"], rf["late_sem"])
        margin = margin if np.isfinite(margin) else 0.0
        g = g.assign(
            random_late=rnd["late_return"], reinforce_late=rf["late_return"], score=float("nan")
        )
        for i, row in g.iterrows():
            if row["note"].startswith("cannot run"):
                continue
            s, note = score(row["late_return"], rnd["late_return"], rf["late_return"], margin)
            g.loc[i, "score"], g.loc[i, "note"] = s, note
        out.append(g)
    return pd.concat(out, ignore_index=True)


def meta_test(lengths: dict, n: int, seed: int, runs, lrs, parallel=True):
    """Every environment of `lengths` ({env: lifetime}) meta-tested by every run of `runs`
    ((method, seed, agent, params)) and the fixed methods: (per-lifetime tables, CSV rows,
    REINFORCE's searches), in the order of `lengths`.

    parallel: the environments in as many threads as there are JAX devices (one CPU device per
    core, see `symla_lite`), each thread on its own device; the numbers are those of
    parallel=False (tested), the wall time about 1 / cores of it (compilation and execution
    release the GIL)."""
    devices = jax.local_devices()

    def one(i, env_id):
        with jax.default_device(devices[i % len(devices)]):
            env = envs.make(env_id, project_obs=DIM)
            return _env_rows(env_id, env, lengths[env_id], n, seed, runs, lrs)

    with ThreadPoolExecutor(max_workers=len(devices) if parallel else 1) as pool:
        done = list(pool.map(one, range(len(lengths)), lengths))
    lives = [x for lv, _, _ in done for x in lv]
    rows = [x for _, rw, _ in done for x in rw]
    return lives, rows, [search for _, _, search in done]
