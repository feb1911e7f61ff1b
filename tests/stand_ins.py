"""Stand-ins for what a `standard` run of the generalist notebook writes and the repository ships
(results/standard/): untrained meta-parameters of the smoke preset's sizes, saved by the code that
saves the real ones, so that a smoke run meta-tests them in seconds."""

import jax

from symla_lite import meta, transfer
from symla_lite.experiments import diversity, generalist


def generalist_runs(seeds: int = 3, shift: float = 0.0) -> list[tuple]:
    """Untrained generalists (SymLA, MetaRNN at equal inputs) of the smoke preset's sizes, `seeds`
    each: runs (method, seed, agent, params), every parameter moved by `shift`."""
    runs = []
    for a in generalist.LEARNERS:
        extra = {"agent_kwargs": {"max_actions": transfer.MAX_ACTIONS}} if a == "metarnn" else {}
        config = meta.TrainConfig(agent=a, env="mixture", preset="smoke", family="rl",
                                  env_kwargs=transfer.generalist_kwargs(), **extra)  # fmt: skip
        agent, _ = meta.build(config)
        for s in range(seeds):
            params = jax.tree.map(lambda x: x + shift, agent.init(jax.random.key(s)))
            runs.append((a, s, agent, params))
    return runs


def generalists(folder, lifetime: int = 50) -> list:
    """Two milestones (1 and 3 generations) of 3 seeds each in <folder>/generalist_params."""
    kept = {1: generalist_runs(), 3: generalist_runs(shift=0.01)}
    return generalist.save(kept, folder / generalist.PARAMS, "standard", 0, lifetime)


def diversity_points(folder, lifetime: int = 50, atlas_envs=("Catch-bsuite",)) -> list:
    """Every diversity point's runs (3 seeds per learner, each point moved apart) in
    <folder>/diversity_params, and their atlas scores on `atlas_envs` at the smoke preset in
    <folder>/generalist_diversity_atlas.csv, as a standard run writes them."""
    points = {p: generalist_runs(shift=0.01 * i) for i, p in enumerate(transfer.diversity_points())}
    files = diversity.save(points, folder / diversity.PARAMS, "standard", 0, lifetime)
    scores = diversity.atlas_scores(points, "smoke", 0, lrs=(0.1,), env_ids=list(atlas_envs))
    scores.to_csv(folder / diversity.ATLAS_CSV, index=False)
    return [*files, folder / diversity.ATLAS_CSV]
