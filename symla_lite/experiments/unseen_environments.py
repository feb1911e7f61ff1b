"""Unseen environments (SPEC section 4 item 5): meta-train SymLA on grid worlds with observations
projected to 16 dims (Appendix C.3), meta-test on classic control projected the same way, against
the random policy and REINFORCE (its learning rate chosen by a search on the same test tasks)."""

import numpy as np
import pandas as pd

from symla_lite import envs, evaluation
from symla_lite.baselines import RandomPolicy
from symla_lite.envs import CLASSIC
from symla_lite.experiments.unseen_observations import (
    episode_returns,
    lifetimes,
    meta_train,
    n_test,
    reinforce_lr_search,
)
from symla_lite.experiments.unseen_tasks import GRID
from symla_lite.reinforce import Reinforce

DIM = 16
LRS = (0.001, 0.01, 0.1)
MAX_EPISODES = 200


def test_length(preset: str) -> int:
    """Lifetime at meta-test: long enough for several CartPole episodes."""
    return {"smoke": 100, "lite": 2000, "paper": 5000}[preset]


def run(preset, seed, checkpoint, progress=True, lrs=LRS, env_ids=CLASSIC):
    """Returns (episodes, lr_search, history).

    episodes: one row per env x method x episode index (return mean, sem, n lifetimes that
    completed that episode); lr_search: REINFORCE's lifetime return per env x lr.
    """
    grid = dict(GRID, project_obs=DIM)
    res = meta_train("symla", "gridworld", grid, preset, seed, checkpoint, progress)
    n, length = n_test(preset), test_length(preset)
    rows, search = [], []
    for env_id in env_ids:
        env = envs.make(env_id, project_obs=DIM)
        key = evaluation.test_key(seed, f"unseen_environments/{env_id}")
        lr_df = reinforce_lr_search(env, evaluation.test_key(seed + 1, env_id), lrs, n, length)
        search.append(lr_df.assign(env=env_id))
        best_lr = float(lr_df.sort_values("return_mean").iloc[-1]["lr"])
        methods = {
            "symla": (res.agent, res.params),
            "random": (RandomPolicy(), {}),
            "reinforce": (Reinforce(lr=best_lr), {}),
        }
        for method, (agent, params) in methods.items():
            r, d = lifetimes(agent, params, env, key, n, length)
            ep = episode_returns(r, d, MAX_EPISODES)
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
                        return_sem=float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else np.nan,
                        n_lifetimes=int(v.size),
                        lifetime_return=float(r.sum(1).mean()),
                    )
                )
    episodes = pd.DataFrame(rows).assign(test_lifetime=length, preset=preset, seed=seed)
    return episodes, pd.concat(search, ignore_index=True), res.history


def complete(episodes: pd.DataFrame) -> pd.DataFrame:
    """Rows of episodes that every test lifetime completed (no survivor bias)."""
    n_all = episodes.groupby(["env", "method"])["n_lifetimes"].transform("max")
    return episodes[episodes["n_lifetimes"] == n_all]


def plot(episodes: pd.DataFrame):
    import matplotlib.pyplot as plt

    ep = complete(episodes)
    envs_ = list(ep["env"].unique())
    fig, axes = plt.subplots(1, len(envs_), figsize=(4 * len(envs_), 3.2), squeeze=False)
    for ax, env_id in zip(axes[0], envs_, strict=True):
        for method, sub in ep[ep["env"] == env_id].groupby("method"):
            ax.plot(sub["episode"], sub["return_mean"], label=method)
            ax.fill_between(
                sub["episode"],
                sub["return_mean"] - sub["return_sem"],
                sub["return_mean"] + sub["return_sem"],
                alpha=0.2,
            )
        ax.set_title(f"{env_id} (projected to {DIM} dims)")
        ax.set_xlabel("episode within the lifetime")
        ax.set_ylabel("return per episode")
    axes[0][0].legend()
    fig.tight_layout()
    return fig


def claims(episodes: pd.DataFrame, k: int = 5) -> str:
    """Markdown: first vs last `k` complete episodes per method and env, and the CartPole verdict."""
    ep = complete(episodes)
    lines, verdict = [], {}
    for (env_id, method), sub in ep.groupby(["env", "method"], sort=False):
        first, last = sub.head(k)["return_mean"].mean(), sub.tail(k)["return_mean"].mean()
        # standard error of the difference of the two k-episode means (episodes taken independent)
        se = np.sqrt(
            (sub.head(k)["return_sem"] ** 2).sum() + (sub.tail(k)["return_sem"] ** 2).sum()
        )
        verdict[(env_id, method)] = (first, last, se / k)
        lines.append(
            f"- {env_id}, {method}: first {k} episodes {first:.1f}, last {k} episodes "
            f"{last:.1f} (episodes completed by every lifetime: {len(sub)}; lifetime return "
            f"{sub['lifetime_return'].iloc[0]:.1f})"
        )
    if ("CartPole-v1", "symla") in verdict:
        first, last, se = verdict[("CartPole-v1", "symla")]
        rnd = np.mean(verdict[("CartPole-v1", "random")][:2])
        n_sym = int((ep["env"].eq("CartPole-v1") & ep["method"].eq("symla")).sum())
        rises = "reproduced" if last - first > 2 * se else "not reproduced"
        if n_sym < 2 * k:
            rises = f"cannot be told: fewer than {2 * k} episodes completed by every lifetime"
        lines += [
            "",
            f"- Claim 'SymLA's return per episode rises over the lifetime on CartPole': "
            f"**{rises}** ({first:.1f} -> {last:.1f}, standard error of the change {se:.1f}).",
            f"- Claim 'it ends above the random policy' ({rnd:.1f}): "
            f"**{'reproduced' if last > rnd else 'not reproduced'}**.",
        ]
    return "\n".join(lines)
