"""The meta-training behind every unseen-environment experiment: grid worlds, observations projected.

`train(agent, ...)` meta-trains `agent` ("symla" or "metarnn") on the grid world (`presets.GRID`,
a reconstruction) with observations projected to DIM = 16 dimensions by a Glorot-normal matrix drawn
per lifetime (Appendix C.3), the seeds from `seed` in one program, the preset's `rl` column with
the departures `presets.experiment(preset, EXPERIMENT)` names. The unseen-environments experiment
and the atlas both call it, so that the same checkpoint folder resumes the same run
(`meta.train_auto` checks the whole configuration).
"""

from symla_lite import meta, presets

DIM = 16  # every environment is meta-tested with observations projected to DIM dimensions too
EXPERIMENT = "unseen_environments"  # the name of this meta-training in `presets.EXPERIMENTS`


def env_kwargs() -> dict:
    """The grid world's options at meta-training: `presets.GRID`, observations projected to DIM."""
    return dict(presets.GRID, project_obs=DIM)


def train(agent: str, preset: str, seed: int, checkpoint_dir=None, progress=True) -> list:
    """`meta.train_auto(agent, "gridworld", ...)` over the seeds of `presets.experiment(preset,
    EXPERIMENT)` from `seed`, with its TrainConfig fields, resuming from `checkpoint_dir` when it
    holds this run's checkpoint: one `meta.TrainResult` per seed."""
    fields, n_seeds = presets.experiment(preset, EXPERIMENT)
    return meta.train_auto(
        agent, "gridworld", env_kwargs=env_kwargs(), preset=preset, family="rl",
        seeds=presets.seeds(seed, n_seeds), checkpoint_dir=checkpoint_dir, progress=progress,
        **fields,
    )  # fmt: skip
