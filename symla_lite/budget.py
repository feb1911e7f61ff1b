"""How a meta-test score grows with the ES budget (the ablation's budget section): the budget and
the number of seeds a claim's target would need, extrapolated from scores measured at several
generation counts (`train_milestones`), and the cost of a generation per agent."""

import dataclasses
import pickle
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from symla_lite import evaluation, io, meta


def train_milestones(
    config: meta.TrainConfig, seeds, milestones
) -> dict[int, list[meta.TrainResult]]:
    """One run of `train_seeds(config, seeds)`, continued through each generation count of
    `milestones` in turn (config.generations is ignored): {milestone: one TrainResult per seed},
    the ES means and histories as they stood at that generation.

    With `config.checkpoint_dir`, each milestone's results are kept beside the checkpoint
    (milestone_<m>.pkl), so a rerun, or one with more milestones, trains only what is missing.
    """
    milestones = sorted({int(m) for m in milestones})
    if not milestones or milestones[0] < 1:
        raise ValueError(f"milestones must be generation counts >= 1, got {milestones}")
    folder = Path(config.checkpoint_dir) if config.checkpoint_dir else None
    seeds = [int(s) for s in seeds]
    identity = {**config.identity(), "seed": seeds}
    lost = _not_kept(config, milestones)
    if lost:
        raise ValueError(
            f"the checkpoint in {folder} is past milestone {lost[0]} and its results were not "
            "kept: delete the folder to recompute"
        )
    out, built = {}, None
    for m in milestones:
        path = folder / f"milestone_{m}.pkl" if folder else None
        if path is not None and path.exists():
            saved = io.load_pickle(path)
            if saved["identity"] != identity:
                raise ValueError(f"{path} was made with a different config: delete it")
            agent, env = built = built or meta.build(config)
            out[m] = [
                meta.TrainResult(
                    params=jax.tree.map(jnp.asarray, p),
                    history=pd.DataFrame(h, columns=["generation", "mean_fitness", "best_fitness"]),
                    elapsed_s=saved["elapsed_s"],
                    config=dataclasses.replace(config, seed=s, generations=m),
                    agent=agent,
                    env=env,
                )
                for s, p, h in zip(seeds, saved["params"], saved["history"], strict=True)
            ]
            continue
        resume = "auto" if folder else False
        out[m] = meta.train_seeds(dataclasses.replace(config, generations=m, resume=resume), seeds)
        if path is not None and jax.process_index() == 0:
            saved = dict(
                identity=identity,
                params=[io.to_numpy(r.params) for r in out[m]],
                history=[r.history.to_dict("records") for r in out[m]],
                elapsed_s=out[m][0].elapsed_s,
            )
            io.write_bytes(path, pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL))
    return out


def milestones_recoverable(config: meta.TrainConfig, milestones) -> bool:
    """Whether `train_milestones(config, ..., milestones)` can run from `config.checkpoint_dir`:
    no checkpoint there, or none past a milestone whose results were not kept."""
    return not _not_kept(config, milestones)


def _not_kept(config: meta.TrainConfig, milestones) -> list[int]:
    """The milestones (sorted) that the checkpoint in `config.checkpoint_dir` has passed without
    keeping their results (no milestone_<m>.pkl)."""
    folder = Path(config.checkpoint_dir) if config.checkpoint_dir else None
    if folder is None or not (folder / meta.CHECKPOINT).exists():
        return []
    generation = io.load_pickle(folder / meta.CHECKPOINT)["generation"]
    return [
        m
        for m in sorted(milestones)
        if generation > m and not (folder / f"milestone_{m}.pkl").exists()
    ]


def extrapolate(budget: pd.DataFrame, targets: dict, settings: dict) -> pd.DataFrame:
    """Per (setting, variant) and score column with a target in `targets` (column ->
    {environment: target}; settings: setting -> (environment, options)): the score's mean
    over seeds at the last milestone, the slope of a least-squares line of the mean against
    log2(generation) (per doubling of the ES budget), and `needed`: the generations at which
    that line reaches the target (the last milestone if the mean already does; NaN when the
    slope is not positive). A rough rule: ES curves flatten, so `needed` is a lower bound.
    `seeds_needed`: see `seeds_needed`, at the last milestone."""
    rows = []
    for (setting, variant), sub in budget.groupby(["setting", "variant"], sort=False):
        env_name = settings[setting][0]
        for column, by_env in targets.items():
            if env_name not in by_env or column not in sub or sub[column].isna().all():
                continue
            g = sub.groupby("generation")[column]
            mean = g.mean()
            gens = mean.index.to_numpy(np.float64)
            slope, intercept = np.polyfit(np.log2(gens), mean.to_numpy(), 1)
            target = by_env[env_name]
            last = sub[sub["generation"] == gens[-1]][column].to_numpy(np.float64)
            if mean.iloc[-1] >= target:
                needed = gens[-1]
            elif slope > 1e-9:  # not a float-rounding slope of a flat curve
                needed = 2.0 ** ((target - intercept) / slope)
            else:
                needed = float("nan")
            rows.append(
                dict(
                    setting=setting,
                    variant=variant,
                    column=column,
                    target=target,
                    generations=int(gens[-1]),
                    score=float(mean.iloc[-1]),
                    score_sem=evaluation.sem(last),
                    slope_per_doubling=float(slope),
                    needed=float(needed),
                    seeds_needed=seeds_needed(last, target),
                )
            )
    return pd.DataFrame(rows)


def cost_ratios(wall: pd.DataFrame) -> pd.DataFrame:
    """Per setting with MetaRNN variants (wall: `ablations.run`'s, with its `agent` column): seconds
    per generation of SymLA's and MetaRNN's variants at the same lifetime (means over variants)
    and their ratio, the generations of MetaRNN that one of SymLA's costs."""
    rows = []
    is_rnn = wall["agent"] == "metarnn"
    for (setting, lifetime), rnn in wall[is_rnn].groupby(["setting", "lifetime"]):
        sym = wall[~is_rnn & (wall["setting"] == setting) & (wall["lifetime"] == lifetime)]
        if sym.empty:
            continue
        s, r = sym["seconds_per_generation"].mean(), rnn["seconds_per_generation"].mean()
        rows.append(dict(setting=setting, lifetime=lifetime, symla_s=s, metarnn_s=r, ratio=s / r))
    return pd.DataFrame(rows)


def seeds_needed(scores: np.ndarray, target: float) -> float:
    """How many meta-training seeds would put the mean of `scores` (one per seed) 2 standard
    errors above `target`, if the mean and the spread across seeds stay as measured:
    ceil((2 sd / (mean - target))^2); NaN when the mean is not above the target."""
    scores = np.asarray(scores, np.float64)
    margin = scores.mean() - target
    if margin <= 0 or scores.size < 2:
        return float("nan")
    return float(max(scores.size, np.ceil((2 * scores.std(ddof=1) / margin) ** 2)))


def budget_findings(extrapolated: pd.DataFrame) -> str:
    """Markdown, one line per row of `extrapolate`: the score at the last milestone, its growth
    per doubling of generations, and the budget the claim's target needs by that line."""
    lines = []
    for r in extrapolated.itertuples():
        head = (
            f"- **{r.setting}, {r.variant}** ({r.column}): {r.score:.2f} ± {r.score_sem:.2f} "
            f"after {r.generations} generations, {r.slope_per_doubling:+.3f} per doubling; "
        )
        if r.score >= r.target:
            tail = f"the mean is at the target {r.target:g} already"
            if r.score - 2 * r.score_sem < r.target:
                tail += (
                    ", but not by 2 standard errors across seeds: with the spread across seeds "
                    f"measured here that takes about {r.seeds_needed:.0f} seeds"
                )
        elif np.isnan(r.needed):
            tail = f"it does not grow with the budget, so no budget reaches {r.target:g} by it"
        else:
            tail = (
                f"the line reaches {r.target:g} at about {r.needed:,.0f} generations "
                f"({r.needed / r.generations:.1f} times this run's)"
            )
        lines.append(head + tail + ".")
    return "\n".join(lines)
