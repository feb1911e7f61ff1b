"""Unseen observation spaces (SPEC section 4 item 3), computation: meta-train on CartPole, meta-test
with observations and/or actions permuted per lifetime. Figure: `plots.unseen_observations`;
claims: `claims.unseen_observations`."""

import pandas as pd

from symla_lite import agents, envs, evaluation, meta, presets

SETTINGS = {
    "as_trained": {},
    "obs_permuted": dict(permute_obs=True),
    "actions_permuted": dict(permute_actions=True),
    "both_permuted": dict(permute_obs=True, permute_actions=True),
}
METHODS = ("symla", "metarnn")
ENV = "CartPole-v1"


def run(preset: str, seed: int, checkpoints, progress: bool = True) -> dict:
    """Meta-train SymLA and MetaRNN on CartPole-v1, meta-test them in every setting.

    checkpoints: tag -> checkpoint folder (e.g. Outputs.checkpoints). Returns {"results": one row
    per method x setting (return per lifetime: mean, sem, n), "training": meta-training curves}.
    """
    trained, history = {}, []
    for method in METHODS:
        res = meta.train_auto(
            method, ENV, preset=preset, seed=seed, family="rl",
            checkpoint_dir=checkpoints(method), progress=progress,
        )  # fmt: skip
        trained[method] = (res.agent, res.params)
        history.append(res.history.assign(method=method))
    length = res.config.hyper()["lifetime"]
    trained["random"] = (agents.make("random"), {})
    n = presets.evaluation(preset)["rl_tests"]
    key = evaluation.test_key(seed, "unseen_observations")
    results = []
    for setting, kw in SETTINGS.items():
        test = evaluation.test_set(envs.make(ENV, **kw), key, n)
        for method, (agent, params) in trained.items():
            r, _ = evaluation.returns(agent, params, test, length)
            results.append(evaluation.summarise(r.sum(1), method=method, setting=setting))
    df = pd.DataFrame(results).assign(lifetime=length, preset=preset, seed=seed)
    return {"results": df, "training": pd.concat(history, ignore_index=True)}
