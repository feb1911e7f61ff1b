"""Ablations (issue 15), computation: what decides whether SymLA meta-learns the grid world (plain
and projected to 16 dimensions) and CartPole.

A variant is a named set of SymLA options (`agents.make("symla", ...)`) and ES settings
(`meta.TrainConfig` fields) applied on top of `BASE`, the package's SymLA as it stood before the
ablation (the paper's equations: `sum` messages, gate biases 0 and 1, zero initial state). Every
variant is meta-trained with several seeds in one program (`meta.train_seeds`) on each
environment setting of `SETTINGS`; `run` returns the fitness curves and the meta-test summary
(in-distribution return per episode, and on the grid world hearts and traps collected in the
second half of a lifetime). Figure: `plots.ablations`.
"""

import numpy as np
import pandas as pd

from symla_lite import agents, evaluation, meta, presets

# Spelled out in full, so that a variant means the same whatever the package's defaults become.
BASE = dict(message_reduce="sum", input_bias=0.0, forget_bias=1.0, init_state="zeros")
VSML_GATES = dict(input_bias=-5.0, forget_bias=5.0)

VARIANTS: dict[str, dict] = {
    "base": {},
    "gates": dict(agent_kwargs=VSML_GATES),
    "mean": dict(agent_kwargs=dict(message_reduce="mean")),
    "gates+mean": dict(agent_kwargs=dict(VSML_GATES, message_reduce="mean")),
    "gates+mean+partial": dict(
        agent_kwargs=dict(VSML_GATES, message_reduce="mean", init_state="partial")
    ),
    "gates+mean+random": dict(
        agent_kwargs=dict(VSML_GATES, message_reduce="mean", init_state="random")
    ),
    "gates+mean+2layers": dict(agent_kwargs=dict(VSML_GATES, message_reduce="mean", layers=2)),
    "gates+mean lr/2": dict(agent_kwargs=dict(VSML_GATES, message_reduce="mean"), lr_scale=0.5),
    "gates+mean std/2": dict(agent_kwargs=dict(VSML_GATES, message_reduce="mean"), std_scale=0.5),
    "gates+mean sparse": dict(
        agent_kwargs=dict(VSML_GATES, message_reduce="mean"), env_kwargs=dict(reward="sparse")
    ),
}

# What the notebook runs per preset: setting -> variants (lite: the factors that decided, within
# the batch's budget; paper: everything).
PLAN = {
    "smoke": {"grid": ["base", "gates+mean"], "cartpole": ["gates+mean"]},
    "lite": {
        "grid": ["base", "gates", "mean", "gates+mean"],
        "cartpole": ["base", "gates+mean", "gates+mean sparse"],
    },
    "paper": {
        "grid": list(VARIANTS),
        "projgrid": list(VARIANTS),
        "cartpole": list(VARIANTS),
    },
}

SETTINGS = {
    "grid": ("gridworld", dict(presets.GRID)),
    "projgrid": ("gridworld", dict(presets.GRID, project_obs=16)),
    "cartpole": ("CartPole-v1", {}),
}


def config(preset: str, setting: str, variant: str, checkpoint_dir=None, progress=True):
    """The TrainConfig of one (setting, variant); its seed is set by `train`."""
    if setting not in SETTINGS:
        raise ValueError(f"unknown setting {setting!r}; choose one of {list(SETTINGS)}")
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {list(VARIANTS)}")
    spec = dict(VARIANTS[variant])
    agent_kwargs = {**BASE, **spec.pop("agent_kwargs", {})}
    hp = presets.preset(preset, "rl")
    for name in ("lr", "std"):
        if f"{name}_scale" in spec:
            spec[name] = hp[name] * spec.pop(f"{name}_scale")
    env, env_kwargs = SETTINGS[setting]
    env_kwargs = {**env_kwargs, **spec.pop("env_kwargs", {})}
    return meta.TrainConfig(
        agent="symla",
        agent_kwargs=agent_kwargs,
        env=env,
        env_kwargs=env_kwargs,
        family="rl",
        preset=preset,
        checkpoint_dir=checkpoint_dir,
        resume="auto" if checkpoint_dir else False,
        progress=progress,
        **spec,
    )


def train(preset: str, setting: str, variant: str, seeds, checkpoints=None, progress=True):
    """Meta-train one (setting, variant) for every seed in one program; list of TrainResult.
    checkpoints: tag -> folder (or None)."""
    folder = checkpoints(f"{setting}-{variant}") if checkpoints else None
    return meta.train_seeds(config(preset, setting, variant, folder, progress), seeds)


def run(preset: str, seed: int, checkpoints=None, plan: dict | None = None, progress=True):
    """Every (setting, variant) of `plan` (default PLAN[preset]) meta-trained with the seeds
    `presets.seeds(seed)` and meta-tested: {"training", "tests", "summary"} DataFrames."""
    plan = PLAN[preset] if plan is None else plan
    bad = [(s, v) for s, vs in plan.items() for v in vs if s not in SETTINGS or v not in VARIANTS]
    if bad:
        raise ValueError(
            f"unknown (setting, variant) {bad}; settings {list(SETTINGS)}, variants {list(VARIANTS)}"
        )
    seeds = presets.seeds(seed)
    results = {
        (s, v): train(preset, s, v, seeds, checkpoints, progress)
        for s, vs in plan.items()
        for v in vs
    }
    tests = meta_test(preset, seed, results)
    return {"training": training_frame(results), "tests": tests, "summary": summary(tests)}


def training_frame(results: dict) -> pd.DataFrame:
    """{(setting, variant): [TrainResult]} -> one row per setting, variant, seed and generation."""
    frames = [
        res.history.assign(setting=s, variant=v, seed=res.config.seed)
        for (s, v), runs in results.items()
        for res in runs
    ]
    df = pd.concat(frames, ignore_index=True)
    return df[["setting", "variant", "seed", "generation", "mean_fitness", "best_fitness"]]


def meta_test(preset: str, seed: int, results: dict) -> pd.DataFrame:
    """One row per setting, variant and seed, over the trained lifetime on in-distribution test
    lifetimes (the same for every variant and seed): the summed reward per lifetime (`return`),
    the episodes ended in it (`episodes`; on CartPole, the falls) and the random policy's two; on
    grid worlds also the hearts and traps collected in the second half of a lifetime. `score`
    (higher is better): hearts minus traps in the second half on grid worlds; elsewhere the
    random policy's episodes minus the variant's (falls avoided)."""
    n = presets.evaluation(preset)["rl_tests"]
    rows = []
    for (setting, variant), runs in results.items():
        env_name = SETTINGS[setting][0]
        # the variant's environment (e.g. its reward convention), the setting's test lifetimes
        test = evaluation.test_set(runs[0].env, evaluation.test_key(seed, f"ablation-{setting}"), n)
        length = runs[0].config.hyper()["lifetime"]
        r, d = evaluation.returns(agents.make("random"), {}, test, length)
        rand = dict(random_return=r.sum(1).mean(), random_episodes=d.sum(1).mean())
        for res in runs:
            r, d = evaluation.returns(res.agent, res.params, test, length)
            row = dict(setting=setting, variant=variant, seed=res.config.seed, lifetime=length)
            row["final_fitness"] = float(res.history["mean_fitness"].iloc[-10:].mean())
            row["return"] = float(r.sum(1).mean())
            row["episodes"] = float(d.sum(1).mean())
            if env_name == "gridworld":
                late = r[:, length // 2 :]
                row["hearts_late"] = float((late == 1.0).sum(1).mean())
                row["traps_late"] = float((late == -1.0).sum(1).mean())
                row["score"] = row["hearts_late"] - row["traps_late"]
            else:
                row["score"] = float(rand["random_episodes"] - row["episodes"])
            rows.append(row | rand)
    return pd.DataFrame(rows).assign(preset=preset)


def summary(tests: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard error across seeds of every number of `meta_test`, per setting and
    variant."""
    cols = [
        c for c in tests.columns if c not in ("setting", "variant", "seed", "lifetime", "preset")
    ]
    g = tests.groupby(["setting", "variant"], sort=False)[cols]
    out = g.mean().join(g.agg(lambda x: evaluation.sem(np.asarray(x))).add_suffix("_sem"))
    return out.join(g.size().rename("n_seeds")).reset_index()


SCORE_DOC = {
    "gridworld": "hearts minus traps collected in the second half of a lifetime",
    "CartPole-v1": "falls avoided per lifetime relative to the random policy",
}


def findings(summ: pd.DataFrame) -> str:
    """Markdown, per setting: the variants ranked by score (mean ± SE across seeds), and whether
    the best differs from `base` by more than 2 standard errors."""
    lines = []
    for setting, sub in summ.groupby("setting", sort=False):
        sub = sub.sort_values("score", ascending=False)
        what = SCORE_DOC.get(SETTINGS[setting][0], "score")
        ranked = "; ".join(
            f"{r.variant} {r.score:.2f} ± {r.score_sem:.2f}" for r in sub.itertuples()
        )
        lines.append(f"- **{setting}** ({what}; {int(sub['n_seeds'].min())} seeds): {ranked}.")
        best = sub.iloc[0]
        base = sub[sub["variant"] == "base"]
        if len(base) and best["variant"] != "base":
            b = base.iloc[0]
            z = (best["score"] - b["score"]) / np.hypot(best["score_sem"], b["score_sem"])
            verdict = "beyond" if z > 2 else "within"
            lines.append(
                f"  Best: {best['variant']}, {z:.1f} standard errors above base ({verdict} 2)."
            )
    return "\n".join(lines)
