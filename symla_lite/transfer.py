"""The meta-training and meta-testing behind every unseen-environment experiment.

Meta-training: grid worlds, observations projected.

`train(agent, ...)` meta-trains `agent` ("symla" or "metarnn") on the grid world (`presets.GRID`,
a reconstruction) with observations projected to DIM = 16 dimensions by a Glorot-normal matrix drawn
per lifetime (Appendix C.3), the seeds from `seed` in one program, the preset's `rl` column with
the departures `presets.experiment(preset, EXPERIMENT)` names. The unseen-environments experiment
and the atlas both call it, so that the same checkpoint folder resumes the same run
(`meta.train_auto` checks the whole configuration).

Meta-testing (`meta_test`): meta-learned methods on classic control projected to DIM, beside the
random policy and REINFORCE, over the same test lifetimes; `early_late`, `per_seed` and
`over_lifetimes` summarise them (the unseen-environments and generalist experiments share it).
"""

import numpy as np
import pandas as pd

from symla_lite import agents, budget, envs, evaluation, meta, presets
from symla_lite.envs import CLASSIC

DIM = 16  # every environment is meta-tested with observations projected to DIM dimensions too
EXPERIMENT = "unseen_environments"  # the name of this meta-training in `presets.EXPERIMENTS`


# The generalist (`train_generalist`): SymLA and MetaRNN at equal inputs meta-trained on a mixture
# of task families (`envs.mixture`), meta-tested by the generalist experiment and the atlas.
GENERALIST = "generalist"  # its name in `presets.EXPERIMENTS`
# Control weighs double: at equal weights its habit lost to the grid world's in a lite trial, and the
# transfer to CartPole rests on it. Each family with `envs.mixture.DEFAULT_KWARGS`.
FAMILIES = {"gridworld": 1.0, "bandit": 1.0, "random_mdp": 1.0, "random_control": 2.0}
# MetaRNN's action head at equal inputs: the most actions of the mixture (5), classic control (3)
# and the atlas (SimpleBandit-bsuite's 11), so that it runs everywhere SymLA does (tested)
MAX_ACTIONS = 11


def generalist_kwargs() -> dict:
    """The mixture's options at meta-training: `FAMILIES`, observations projected to DIM."""
    return dict(families=dict(FAMILIES), project_obs=DIM)


# The generalist's budget curve: a run that keeps milestones keeps its meta-parameters at a quarter,
# a half and all of its generations (`budget.train_milestones`), two doublings of the ES budget.
MILESTONE_DIVISORS = (4, 2, 1)


def milestones(preset: str) -> list[int]:
    """The generation counts at which the generalist's meta-training at `preset` is kept."""
    fields, _ = presets.experiment(preset, GENERALIST)
    generations = {**presets.preset(preset, "rl"), **fields}["generations"]
    return sorted({max(1, generations // d) for d in MILESTONE_DIVISORS})


def train_generalist(
    agent: str, preset: str, seed: int, checkpoint_dir=None, progress=True, keep=False
):
    """`meta.train_auto(agent, "mixture", ...)` ("symla" or "metarnn", the latter with its head
    sized MAX_ACTIONS) over the seeds of `presets.experiment(preset, GENERALIST)` from `seed`,
    resuming from `checkpoint_dir` when it holds this run's checkpoint: one `meta.TrainResult`
    per seed. keep=True: the same run through `milestones(preset)` in turn
    (`budget.train_milestones`), {generations: one TrainResult per seed}."""
    args = (agent, GENERALIST, "mixture", generalist_kwargs(), preset, seed, checkpoint_dir)
    config, seeds = _config(*args, progress, _learner_fields(agent))
    if keep:
        return budget.train_milestones(config, seeds, milestones(preset))
    return meta.train_seeds(config, seeds)


def _learner_fields(agent: str) -> dict:
    """The TrainConfig fields of a generalist learner: MetaRNN's head sized MAX_ACTIONS; a clear
    error for another agent."""
    if agent not in ("symla", "metarnn"):
        raise ValueError(f"unknown learner {agent!r}; choose 'symla' or 'metarnn'")
    return {"agent_kwargs": {"max_actions": MAX_ACTIONS}} if agent == "metarnn" else {}


def _config(agent, experiment, env, kwargs, preset, seed, checkpoint_dir, progress, extra=None):
    """The TrainConfig of `agent` on `env` (options `kwargs`): the preset's `rl` column with the
    departures of `presets.experiment(preset, experiment)` and `extra` TrainConfig fields,
    resuming from `checkpoint_dir` when it holds this run's checkpoint; and its seeds, from
    `seed`."""
    fields, n_seeds = presets.experiment(preset, experiment)
    config = meta.TrainConfig(
        agent=agent, env=env, env_kwargs=kwargs, preset=preset, family="rl",
        checkpoint_dir=checkpoint_dir, resume="auto" if checkpoint_dir else False,
        progress=progress, **fields, **(extra or {}),
    )  # fmt: skip
    return config, presets.seeds(seed, n_seeds)


def _train(*args):
    """`meta.train_seeds` of `_config(*args)`: one TrainResult per seed."""
    return meta.train_seeds(*_config(*args))


# The diversity curve (GPICL's experiment on SymLA): the generalist's meta-training with fewer
# distinct tasks, every family drawn from a fixed pool of n tasks (`envs.mixture` pool=n, POOLS), or
# with fewer families (FAMILY_SETS, fresh tasks each); "all" is the generalist's own distribution.
# Each point meta-trains with the generalist's seeds and budget at the preset it is given: the
# diversity curve gives "lite", so that its "all" is the lite generalist's own run.
POOLS = (1, 4, 16, 64)
FAMILY_SETS = {
    "grid": ("gridworld",),
    "grid_bandit": ("gridworld", "bandit"),
    "grid_bandit_mdp": ("gridworld", "bandit", "random_mdp"),
}


def diversity_points() -> dict:
    """{point: the mixture's options}: pool<n> for each n of POOLS (every family of FAMILIES),
    each of FAMILY_SETS (with FAMILIES' weights, fresh tasks) and "all" (the generalist's)."""
    points = {f"pool{n}": dict(generalist_kwargs(), pool=n) for n in POOLS}
    for name, fams in FAMILY_SETS.items():
        points[name] = dict(families={f: FAMILIES[f] for f in fams}, project_obs=DIM)
    points["all"] = generalist_kwargs()
    return points


def train_diversity(point: str, agent: str, preset: str, seed: int, checkpoint_dir=None,
                    progress=True):  # fmt: skip
    """`agent` ("symla" or "metarnn" at equal inputs, as `train_generalist`) meta-trained on the
    mixture of diversity point `point` (`diversity_points`) with the generalist's seeds (from
    `seed`) and budget at `preset`: one `meta.TrainResult` per seed."""
    points = diversity_points()
    if point not in points:
        raise ValueError(f"unknown diversity point {point!r}; choose one of {list(points)}")
    return _train(agent, GENERALIST, "mixture", points[point], preset, seed, checkpoint_dir,
                  progress, _learner_fields(agent))  # fmt: skip


def env_kwargs() -> dict:
    """The grid world's options at meta-training: `presets.GRID`, observations projected to DIM."""
    return dict(presets.GRID, project_obs=DIM)


def train(agent: str, preset: str, seed: int, checkpoint_dir=None, progress=True) -> list:
    """`meta.train_auto(agent, "gridworld", ...)` over the seeds of `presets.experiment(preset,
    EXPERIMENT)` from `seed`, with its TrainConfig fields, resuming from `checkpoint_dir` when it
    holds this run's checkpoint: one `meta.TrainResult` per seed."""
    return _train(agent, EXPERIMENT, "gridworld", env_kwargs(), preset, seed, checkpoint_dir,
                  progress)  # fmt: skip


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


def meta_test(runs, preset, seed, lrs=LRS, env_ids=CLASSIC) -> dict:
    """Meta-test every meta-learned (method, seed, agent, params) of `runs` (`shipped.runs`) on
    `env_ids` projected to DIM, next to the random policy and REINFORCE (its learning rate
    searched on tasks of its own per environment), over the same test lifetimes (`test_key(seed,
    "unseen_environments/<env>")`): {"episodes", "lifetimes", "reinforce_lr"} as `run` returns."""
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
        methods = [(m, s, agent.for_task(DIM, env.num_actions), p) for m, s, agent, p in runs]
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
    return {
        "episodes": _seed_column(pd.DataFrame(rows).assign(**labels)),
        "lifetimes": _seed_column(lifetimes),
        "reinforce_lr": pd.concat(search, ignore_index=True),
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


def cannot_run(agent, env_id: str, env) -> str:
    """Why `agent` cannot run `env` ("" if it can): a MetaRNN is built for its inputs and
    actions, or, at equal inputs, for at most `max_actions` actions."""
    if getattr(agent, "name", None) != "metarnn":
        return ""
    if agent.max_actions is not None:
        if env.num_actions <= agent.max_actions:
            return ""
        built = f"at most {agent.max_actions} actions"
    elif env.num_actions == agent.num_actions:
        return ""
    else:
        built = f"{agent.num_actions} actions"
    return (
        f"cannot run: MetaRNN was built for {agent.num_obs} inputs and {built}, {env_id} has "
        f"{env.num_actions} actions"
    )
