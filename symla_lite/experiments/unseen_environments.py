"""Unseen environments (SPEC section 4 item 5), computation: meta-train SymLA on grid worlds with
observations projected to 16 dims (Appendix C.3), meta-test on classic control projected the same
way, against the random policy and REINFORCE (its learning rate chosen by a search on tasks of its
own). Figure: `plots.unseen_environments`; claims: `claims.unseen_environments`."""

import numpy as np
import pandas as pd

from symla_lite import agents, envs, evaluation, meta, presets
from symla_lite.envs import CLASSIC

DIM = 16
LRS = (0.001, 0.01, 0.1)
MAX_EPISODES = 200


def episode_rows(env_id: str, method: str, rewards: np.ndarray, dones: np.ndarray) -> list[dict]:
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
                episode=k,
                return_mean=float(v.mean()),
                return_sem=evaluation.sem(v),
                n_lifetimes=int(v.size),
                lifetime_return=float(rewards.sum(1).mean()),
            )
        )
    return rows


def run(preset, seed, checkpoint, progress=True, lrs=LRS, env_ids=CLASSIC) -> dict:
    """Returns {"episodes": one row per env x method x episode index (return mean, sem, n lifetimes
    that completed that episode), "reinforce_lr": REINFORCE's lifetime return per env x lr,
    "training": SymLA's meta-training curve}."""
    res = meta.train_auto(
        "symla", "gridworld", env_kwargs=dict(presets.GRID, project_obs=DIM), preset=preset,
        seed=seed, family="rl", checkpoint_dir=checkpoint, progress=progress,
    )  # fmt: skip
    sizes = presets.evaluation(preset)
    n, length = sizes["rl_tests"], sizes["transfer_lifetime"]
    rows, search = [], []
    for env_id in env_ids:
        env = envs.make(env_id, project_obs=DIM)
        tune = evaluation.test_set(env, evaluation.test_key(seed + 1, env_id), n)
        lr_df = evaluation.reinforce_lr_search(tune, lrs, length)
        search.append(lr_df.assign(env=env_id))
        best_lr = float(lr_df.sort_values("return_mean").iloc[-1]["lr"])
        test = evaluation.test_set(
            env, evaluation.test_key(seed, f"unseen_environments/{env_id}"), n
        )
        methods = {
            "symla": (res.agent, res.params),
            "random": (agents.make("random"), {}),
            "reinforce": (agents.make("reinforce", lr=best_lr), {}),
        }
        for method, (agent, params) in methods.items():
            r, d = evaluation.returns(agent, params, test, length)
            rows += episode_rows(env_id, method, r, d)
    episodes = pd.DataFrame(rows).assign(test_lifetime=length, preset=preset, seed=seed)
    return {
        "episodes": episodes,
        "reinforce_lr": pd.concat(search, ignore_index=True),
        "training": res.history,
    }


def complete(episodes: pd.DataFrame) -> pd.DataFrame:
    """Rows of episodes that every test lifetime completed (no survivor bias)."""
    n_all = episodes.groupby(["env", "method"])["n_lifetimes"].transform("max")
    return episodes[episodes["n_lifetimes"] == n_all]
