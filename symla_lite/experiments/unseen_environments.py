"""Unseen environments (SPEC section 4 item 5), computation: meta-train SymLA on grid worlds with
observations projected to 16 dims (Appendix C.3), `presets.NUM_SEEDS` meta-training seeds in one
program (`transfer.train`), and meta-test every seed on classic control projected the same way,
against the random policy and REINFORCE (its learning rate chosen by a search on tasks of its
own). Figure: `plots.unseen_environments`; claims: `claims.unseen_environments`."""

import numpy as np
import pandas as pd

from symla_lite import agents, envs, evaluation, presets, transfer
from symla_lite.envs import CLASSIC
from symla_lite.transfer import DIM

LRS = (0.001, 0.01, 0.1)
MAX_EPISODES = 200
K = 5  # early / late: a lifetime's first / last K completed episodes (see `early_late`)


def _seed_column(df: pd.DataFrame) -> pd.DataFrame:
    """`seed` as nullable integers: NA for the fixed methods (random, REINFORCE)."""
    return df.assign(seed=df["seed"].astype("Int64"))


def episode_rows(
    env_id: str, method: str, rewards: np.ndarray, dones: np.ndarray, seed=None
) -> list[dict]:
    """One row per episode index k: mean and sem over the lifetimes that completed episode k."""
    ep = evaluation.episode_returns(rewards, dones, MAX_EPISODES)
    rows = []
    for k in range(ep.shape[1]):
        v = ep[:, k][np.isfinite(ep[:, k])]
        if v.size == 0:
            break
        rows.append(
            dict(
                env=env_id,
                method=method,
                seed=seed,
                episode=k,
                return_mean=float(v.mean()),
                return_sem=evaluation.sem(v),
                n_lifetimes=int(v.size),
                lifetime_return=float(rewards.sum(1).mean()),
            )
        )
    return rows


def early_late(rewards: np.ndarray, dones: np.ndarray, k: int = K) -> pd.DataFrame:
    """Per lifetime (row of rewards/dones): `episodes` it completed (n), `k` = min(k, n // 2),
    `early` / `late` = mean return of its first / last k completed episodes, `gain` = late -
    early (NaN where n < 2); the unfinished last episode is left out."""
    rows = []
    for i in range(rewards.shape[0]):
        ends = np.flatnonzero(dones[i])
        ret = np.diff(np.concatenate([[0.0], rewards[i].cumsum()[ends]]))
        kk = min(k, ends.size // 2)
        early = float(ret[:kk].mean()) if kk else float("nan")
        late = float(ret[-kk:].mean()) if kk else float("nan")
        rows.append(
            dict(lifetime=i, episodes=int(ends.size), k=kk, early=early, late=late,
                 gain=late - early, lifetime_return=float(rewards[i].sum()))
        )  # fmt: skip
    return pd.DataFrame(rows)


def check_env_ids(env_ids) -> list[str]:
    """The environments asked for (the notebook's `env_ids`): a clear error for an empty list or
    an environment not among CLASSIC."""
    env_ids = list(env_ids)
    if not env_ids:
        raise ValueError(f"parameter 'env_ids' is empty; choose from {list(CLASSIC)}")
    bad = [e for e in env_ids if e not in CLASSIC]
    if bad:
        raise ValueError(
            f"parameter 'env_ids': unknown value(s) {bad}; choose from {list(CLASSIC)}"
        )
    return env_ids


def run(preset, seed, checkpoint, progress=True, lrs=LRS, env_ids=CLASSIC) -> dict:
    """Returns {"episodes": one row per env x method x seed x episode index (return mean, sem, n
    lifetimes that completed that episode), "lifetimes": one row per env x method x seed x test
    lifetime (`early_late`), "reinforce_lr": REINFORCE's lifetime return per env x lr, "training":
    SymLA's meta-training curves, one per seed}. `seed` is SymLA's meta-training seed, NA for the
    fixed methods; every seed and method meets the same test lifetimes."""
    results = transfer.train("symla", preset, seed, checkpoint, progress=progress)
    sizes = presets.evaluation(preset)
    n, length = sizes["rl_tests"], sizes["transfer_lifetime"]
    rows, lives, search = [], [], []
    for env_id in env_ids:
        env = envs.make(env_id, project_obs=DIM)
        tune = evaluation.test_set(env, evaluation.test_key(seed + 1, env_id), n)
        lr_df = evaluation.reinforce_lr_search(tune, lrs, length)
        search.append(lr_df.assign(env=env_id))
        best_lr = float(lr_df.sort_values("return_mean").iloc[-1]["lr"])
        test = evaluation.test_set(
            env, evaluation.test_key(seed, f"unseen_environments/{env_id}"), n
        )
        methods = [("symla", res.config.seed, res.agent, res.params) for res in results]
        methods += [
            ("random", None, agents.make("random"), {}),
            ("reinforce", None, agents.make("reinforce", lr=best_lr), {}),
        ]
        for method, s, agent, params in methods:
            r, d = evaluation.returns(agent, params, test, length)
            rows += episode_rows(env_id, method, r, d, seed=s)
            lives.append(early_late(r, d).assign(env=env_id, method=method, seed=s))
    labels = dict(test_lifetime=length, preset=preset)
    lifetimes = pd.concat(lives, ignore_index=True).assign(**labels)
    front = ["env", "method", "seed", "lifetime"]
    lifetimes = lifetimes[front + [c for c in lifetimes.columns if c not in front]]
    training = pd.concat([r.history.assign(seed=r.config.seed) for r in results], ignore_index=True)
    return {
        "episodes": _seed_column(pd.DataFrame(rows).assign(**labels)),
        "lifetimes": _seed_column(lifetimes),
        "reinforce_lr": pd.concat(search, ignore_index=True),
        "training": training[["seed"] + [c for c in training.columns if c != "seed"]],
    }


def complete(episodes: pd.DataFrame) -> pd.DataFrame:
    """Rows of episodes that every test lifetime completed (no survivor bias), per env, method
    and seed."""
    keys = ["env", "method"] + (["seed"] if "seed" in episodes.columns else [])
    n_all = episodes.groupby(keys, dropna=False)["n_lifetimes"].transform("max")
    return episodes[episodes["n_lifetimes"] == n_all]


def per_seed(lifetimes: pd.DataFrame, column: str) -> np.ndarray:
    """A meta-trained method's `column` per seed (ascending): its mean over the test lifetimes
    that have it (NaN for a seed without any)."""
    return lifetimes.groupby("seed")[column].mean().sort_index().to_numpy(np.float64)


def over_lifetimes(lifetimes: pd.DataFrame, column: str) -> tuple[float, float]:
    """A fixed method's `column`: (mean, standard error) over the test lifetimes that have it."""
    v = lifetimes[column].to_numpy(np.float64)
    v = v[np.isfinite(v)]
    return (float(v.mean()) if v.size else float("nan")), evaluation.sem(v)
