"""Ablations (issue 15), computation: what decides whether SymLA meta-learns the grid world (plain
and projected to 16 dimensions) and CartPole.

A variant is a named set of SymLA options (`agents.make("symla", ...)`) and ES settings
(`meta.TrainConfig` fields) applied on top of `BASE`, the package's SymLA as it stood before the
ablation (the paper's equations: `sum` messages, gate biases 0 and 1, zero initial state);
variants named "metarnn ..." give the baseline the same ES search, with its own defaults. Every
variant is meta-trained with several seeds in one program (`meta.train_seeds`) on each
environment setting of `SETTINGS`; `run` returns the fitness curves and the meta-test summary
(in-distribution return per episode, and on the grid world hearts and traps collected in the
second half of a lifetime). Figure: `plots.ablations`.
"""

import dataclasses

import numpy as np
import pandas as pd

from symla_lite import agents, budget, envs, evaluation, meta, presets
from symla_lite.ablation_plan import (
    BASE,
    BUDGET,
    FRACTIONS,
    GRID_ONLY,
    PLAN,
    SHARED,
    VARIANTS,
    train_preset,
)

TRANSFER_ENV = "CartPole-v1"  # where projected grid worlds' meta-parameters are also meta-tested
SETTINGS = {
    "grid": ("gridworld", dict(presets.GRID)),
    "projgrid": ("gridworld", dict(presets.GRID, project_obs=16)),
    "cartpole": ("CartPole-v1", {}),
}


def config(preset: str, setting: str, variant: str, checkpoint_dir=None, progress=True):
    """The TrainConfig of one (setting, variant) at the ablation of `preset`, with the sizes of
    `train_preset(preset)`; its seed is set by `train`."""
    preset = train_preset(preset)
    if setting not in SETTINGS:
        raise ValueError(f"unknown setting {setting!r}; choose one of {list(SETTINGS)}")
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {list(VARIANTS)}")
    spec = dict(VARIANTS[variant])
    agent = spec.pop("agent", "symla")
    agent_kwargs = {**(BASE if agent == "symla" else {}), **spec.pop("agent_kwargs", {})}
    hp = presets.preset(preset, "rl")
    for name in ("lr", "std", "generations", "population", "num_evals"):
        if f"{name}_scale" in spec:
            value = hp[name] * spec.pop(f"{name}_scale")
            spec[name] = value if isinstance(hp[name], float) else max(1, round(value))
    if "std_halflife" in spec:  # a fraction of the preset's generations
        spec["std_decay"] = 0.5 ** (1.0 / (spec.pop("std_halflife") * hp["generations"]))
    env, env_kwargs = SETTINGS[setting]
    env_kwargs = {**env_kwargs, **spec.pop("env_kwargs", {})}
    return meta.TrainConfig(
        agent=agent,
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


def milestones(preset: str, setting: str, variant: str) -> list[int]:
    """The generation counts at which (setting, variant) is meta-tested: FRACTIONS of its
    generations where it is in BUDGET[preset], else its generations alone."""
    total = config(preset, setting, variant).hyper()["generations"]
    if (setting, variant) not in BUDGET[preset]:
        return [total]
    return sorted({max(1, round(f * total)) for f in FRACTIONS})


def train(preset: str, setting: str, variant: str, seeds, checkpoints=None, progress=True):
    """Meta-train one (setting, variant) for every seed in one program: {generations: list of
    TrainResult}, at each of `milestones` (the last is the whole run). checkpoints: tag -> folder
    (or None)."""
    folder = checkpoints(f"{setting}-{variant}") if checkpoints else None
    cfg = config(preset, setting, variant, folder, progress)
    ms = milestones(preset, setting, variant)
    cfg = shared(cfg, setting, variant, checkpoints, ms)
    if len(ms) == 1:
        return {ms[0]: meta.train_seeds(cfg, seeds)}
    return budget.train_milestones(cfg, seeds, ms)


def shared(cfg: meta.TrainConfig, setting: str, variant: str, checkpoints, ms) -> meta.TrainConfig:
    """`cfg` as the experiment of SHARED[(setting, variant)] writes it (agent options left to the
    defaults, the experiment's checkpoint folder), so that the two resume one run; `cfg` itself
    when the pair is not shared, the variant's options are not the agent's defaults, there are
    no checkpoints, the preset gives the experiment settings of its own (`presets.experiment`),
    or the experiment's checkpoint is past a milestone whose results it did not
    keep (`budget.train_milestones` could not recover them; the ablation then trains its own)."""
    if checkpoints is None or (setting, variant) not in SHARED:
        return cfg
    if agents.make(cfg.agent, **cfg.agent_kwargs) != agents.make(cfg.agent):
        return cfg
    notebook, tag = SHARED[(setting, variant)]
    if presets.experiment(cfg.preset, notebook) != ({}, presets.NUM_SEEDS):
        return cfg
    theirs = dataclasses.replace(
        cfg, agent_kwargs={}, checkpoint_dir=checkpoints(tag, notebook=notebook)
    )
    if not budget.milestones_recoverable(theirs, ms):
        return cfg
    return theirs


def check_plan(preset: str, plan: dict | None) -> dict:
    """The plan to run (None: PLAN[preset]); a clear error for an unknown setting or variant, or
    a grid-only variant on another setting."""
    plan = PLAN[preset] if plan is None else plan
    bad = [
        (s, v)
        for s, vs in plan.items()
        for v in vs
        if s not in SETTINGS
        or v not in VARIANTS
        or (v in GRID_ONLY and SETTINGS[s][0] != "gridworld")
    ]
    if bad:
        raise ValueError(
            f"unknown (setting, variant) {bad}; settings {list(SETTINGS)}, variants {list(VARIANTS)}"
            f" ({', '.join(GRID_ONLY)}: grid settings only)"
        )
    return plan


def run(preset: str, seed: int, checkpoints=None, plan: dict | None = None, progress=True):
    """Every (setting, variant) of `plan` (default PLAN[preset]) meta-trained with the seeds
    `presets.seeds(seed)` and meta-tested: {"training", "tests", "summary"} DataFrames, "budget"
    (the meta-test at each milestone of the BUDGET variants, with its `generation`; None if the
    plan has none) and "wall" (meta-training seconds per (setting, variant), all its seeds in one
    program, across resumes: wall-clock varies between runs, so it is shown, not written)."""
    plan = check_plan(preset, plan)
    seeds = presets.seeds(seed)
    staged = {
        (s, v): train(preset, s, v, seeds, checkpoints, progress)
        for s, vs in plan.items()
        for v in vs
    }
    results = {sv: runs[max(runs)] for sv, runs in staged.items()}
    tests = meta_test(preset, seed, results)
    budget = []
    for (s, v), runs in staged.items():
        if len(runs) == 1:
            continue
        early = sorted(runs)[:-1]  # the last milestone is the whole run, tested above
        df = meta_test(preset, seed, {(s, v): [r for m in early for r in runs[m]]})
        df["generation"] = [m for m in early for _ in runs[m]]
        last = tests[(tests["setting"] == s) & (tests["variant"] == v)]
        budget += [df, last.assign(generation=max(runs))]
    wall = [
        dict(
            setting=s,
            variant=v,
            agent=runs[0].config.agent,
            lifetime=runs[0].config.hyper()["lifetime"],
            generations=runs[0].config.hyper()["generations"],
            seconds=runs[0].elapsed_s,
        )
        for (s, v), runs in results.items()
    ]
    return {
        "training": training_frame(results),
        "tests": tests,
        "summary": summary(tests),
        "budget": pd.concat(budget, ignore_index=True) if budget else None,
        "wall": pd.DataFrame(wall).assign(
            seconds_per_generation=lambda d: d["seconds"] / d["generations"]
        ),
    }


def training_frame(results: dict) -> pd.DataFrame:
    """{(setting, variant): [TrainResult]} -> one row per setting, variant, seed and generation
    (with the meta-training lifetime, so that fitness can be compared per step)."""
    frames = [
        res.history.assign(
            setting=s, variant=v, seed=res.config.seed, lifetime=res.config.hyper()["lifetime"]
        )
        for (s, v), runs in results.items()
        for res in runs
    ]
    df = pd.concat(frames, ignore_index=True)
    cols = ["setting", "variant", "seed", "lifetime", "generation", "mean_fitness", "best_fitness"]
    return df[cols]


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
        projected = SETTINGS[setting][1].get("project_obs")
        transfer = transfer_test(preset, seed, projected) if projected else None
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
                row["score"] = float(1.0 - row["episodes"] / rand["random_episodes"])
            if transfer is not None:
                row.update(transfer(res))
            rows.append(row | rand)
    return pd.DataFrame(rows).assign(preset=preset)


def transfer_test(preset: str, seed: int, dim: int):
    """For meta-training on projected grid worlds: a function of a TrainResult giving its falls
    per lifetime on CartPole projected the same way (`transfer_episodes`, over the preset's
    transfer_lifetime), the random policy's (`transfer_random_episodes`) and `transfer_score` =
    1 - the ratio (above 0: longer episodes than random's)."""
    sizes = presets.evaluation(preset)
    env = envs.make(TRANSFER_ENV, project_obs=dim)
    test = evaluation.test_set(
        env, evaluation.test_key(seed, "ablation-transfer"), sizes["rl_tests"]
    )
    length = sizes["transfer_lifetime"]
    _, d = evaluation.returns(agents.make("random"), {}, test, length)
    random_episodes = float(d.sum(1).mean())

    def measure(res) -> dict:
        _, d = evaluation.returns(res.agent, res.params, test, length)
        episodes = float(d.sum(1).mean())
        return dict(
            transfer_episodes=episodes,
            transfer_random_episodes=random_episodes,
            transfer_score=1.0 - episodes / random_episodes,
        )

    return measure


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
    "CartPole-v1": "fraction of the random policy's falls per lifetime avoided",
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
        symla = sub[[VARIANTS[v].get("agent", "symla") == "symla" for v in sub["variant"]]]
        if symla.empty:
            continue
        best = symla.iloc[0]
        base = sub[sub["variant"] == "base"]
        if len(base) and best["variant"] != "base":
            b = base.iloc[0]
            z = (best["score"] - b["score"]) / np.hypot(best["score_sem"], b["score_sem"])
            verdict = "beyond" if z > 2 else "within"
            lines.append(
                f"  Best: {best['variant']}, {z:.1f} standard errors above base ({verdict} 2)."
            )
    return "\n".join(lines)


BUDGET_TARGETS = {  # score column -> the score a claim needs (see SCORE_DOC)
    "score": {"CartPole-v1": 0.5},  # falls at most half of random's
    "transfer_score": {"gridworld": 0.0},  # CartPole episodes longer than random's
}
