"""Unseen observation spaces (SPEC section 4 item 3), computation: meta-train on CartPole, meta-test
with observations and/or actions permuted per lifetime. Figure: `plots.unseen_observations`;
claims: `claims.unseen_observations`."""

import numpy as np
import pandas as pd

from symla_lite import agents, envs, evaluation, meta, presets

SETTINGS = {
    "as_trained": {},
    "obs_permuted": dict(permute_obs=True),
    "actions_permuted": dict(permute_actions=True),
    "both_permuted": dict(permute_obs=True, permute_actions=True),
}
METHODS = ("symla", "metarnn")  # meta-trained, one run per seed of presets.seeds(seed)
ENV = "CartPole-v1"


def run(preset: str, seed: int, checkpoints, progress: bool = True) -> dict:
    """Meta-train SymLA and MetaRNN on CartPole-v1 (the seeds `presets.seeds(seed)` of each in one
    program), meta-test every seed and the random policy on the same test set of every setting.

    checkpoints: tag -> checkpoint folder (e.g. Outputs.checkpoints). Returns {"results": one row
    per method x seed x setting (seed NA for the random policy) with the return per lifetime
    (return_mean, return_sem over test lifetimes, n_lifetimes) and the falls per lifetime (episodes
    ended by the pole falling: falls_mean, falls_sem), "training": meta-training curves per method
    and seed}.
    """
    runs, history = [], []  # runs: (method, seed or None, agent, params)
    for method in METHODS:
        results = meta.train_auto(
            method, ENV, preset=preset, seeds=presets.seeds(seed), family="rl",
            checkpoint_dir=checkpoints(method), progress=progress,
        )  # fmt: skip
        for res in results:
            runs.append((method, res.config.seed, res.agent, res.params))
            history.append(res.history.assign(method=method, seed=res.config.seed))
    length = results[0].config.hyper()["lifetime"]
    runs.append(("random", None, agents.make("random"), {}))
    n = presets.evaluation(preset)["rl_tests"]
    key = evaluation.test_key(seed, "unseen_observations")
    rows = []
    for setting, kw in SETTINGS.items():
        test = evaluation.test_set(envs.make(ENV, **kw), key, n)
        for method, s, agent, params in runs:
            r, _ = evaluation.returns(agent, params, test, length)
            ret = r.sum(1)
            falls = (r == 0).sum(1).astype(np.float64)  # the step of a fall pays 0, others +1
            row = evaluation.summarise(ret, method=method, seed=s, setting=setting)
            rows.append(
                {**row, "falls_mean": float(falls.mean()), "falls_sem": evaluation.sem(falls)}
            )
    df = pd.DataFrame(rows).assign(lifetime=length, preset=preset)
    df["seed"] = df["seed"].astype("Int64")
    return {"results": df, "training": pd.concat(history, ignore_index=True)}
