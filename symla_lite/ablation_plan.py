"""The ablation's variants and plans (issue 15): what `experiments.ablations` meta-trains.

A variant is a named set of SymLA options (`agents.make("symla", ...)`), ES settings
(`meta.TrainConfig` fields; `<field>_scale` multiplies the preset's value, `std_halflife` decays
the noise) and environment options, applied on top of `BASE`. `PLAN[preset]` says which variants
the notebook runs on which setting, `BUDGET[preset]` which are also meta-tested part-way,
`SHARED` which are an experiment's own run, and `TRAINS_AT` at which preset's sizes a preset's
ablation meta-trains.
"""

# Spelled out in full, so that a variant means the same whatever the package's defaults become.
BASE = dict(message_reduce="sum", input_bias=0.0, forget_bias=1.0, init_state="zeros")
VSML_GATES = dict(input_bias=-5.0, forget_bias=5.0)
RECIPE = dict(VSML_GATES, message_reduce="mean")  # what the ablation chose: the package's defaults

VARIANTS: dict[str, dict] = {
    "base": {},
    "gates": dict(agent_kwargs=VSML_GATES),
    "mean": dict(agent_kwargs=dict(message_reduce="mean")),
    "gates+mean": dict(agent_kwargs=RECIPE),
    "gates+mean+partial": dict(agent_kwargs=dict(RECIPE, init_state="partial")),
    "gates+mean+random": dict(agent_kwargs=dict(RECIPE, init_state="random")),
    "gates+mean+2layers": dict(agent_kwargs=dict(RECIPE, layers=2)),
    "gates+mean lr/2": dict(agent_kwargs=RECIPE, lr_scale=0.5),
    "gates+mean std/2": dict(agent_kwargs=RECIPE, std_scale=0.5),
    "gates+mean sparse": dict(agent_kwargs=RECIPE, env_kwargs=dict(reward="sparse")),
    "gates+mean L500": dict(agent_kwargs=RECIPE, lifetime=500),
    # four times the preset's generations at L = 500 (the budget the CartPole claim may need)
    "gates+mean L500 x4": dict(agent_kwargs=RECIPE, lifetime=500, generations_scale=4),
    # logits b * tanh(logits / b), b = 2: the policy cannot commit fully to one action
    "gates+mean bounded": dict(agent_kwargs=dict(RECIPE, readout_bound=2.0)),
    # the ES noise halves every half of the preset's generations (a quarter of it at the end)
    "gates+mean std decay": dict(agent_kwargs=RECIPE, std_halflife=0.5),
    # twice the population, half the lifetimes per member (the same agent steps per generation)
    "gates+mean pop x2": dict(
        agent_kwargs=RECIPE,
        population_scale=2,
        num_evals_scale=0.5,
    ),
    "gates+mean evals x2": dict(agent_kwargs=RECIPE, num_evals_scale=2),
    # the grid-world reconstruction (grid settings only): a 6 x 6 grid, and the agent's own position
    # as its observation instead of the offsets to the objects
    "gates+mean 6x6": dict(agent_kwargs=RECIPE, env_kwargs=dict(size=6, max_steps=24)),
    "gates+mean position": dict(agent_kwargs=RECIPE, env_kwargs=dict(observe="position")),
    # the baseline under the same ES search (its own options are the package's defaults)
    "metarnn": dict(agent="metarnn"),
    "metarnn lr/2": dict(agent="metarnn", lr_scale=0.5),
    "metarnn std/2": dict(agent="metarnn", std_scale=0.5),
}

GRID_ONLY = ("gates+mean 6x6", "gates+mean position")  # variants of the grid world itself

# What the notebook runs per preset: setting -> variants. lite (the default batch): the recipe and
# the baseline on the grid world, both the unseen_tasks experiment's own runs (SHARED: no extra
# meta-training); the contrast that decided the recipe (`base` against `gates+mean`, 250 s of
# meta-training more) is the standard plan's, so that the default batch fits its 30 minutes;
# CartPole is unseen_observations' (200 generations at lite, `presets.EXPERIMENTS`) and the
# projected grid world unseen_environments' (100 generations). smoke: the contrast, CartPole and the
# projected grid world, at smoke sizes; standard: the complete plan at lite's sizes (every factor the
# lite budget afforded, the baseline's ES search, the projected grid world's whole budget curve);
# paper: everything.
DECISIVE = {"grid": ["base", "gates+mean", "metarnn"], "cartpole": ["gates+mean"]}
PLAN = {
    "smoke": {**DECISIVE, "projgrid": ["gates+mean"]},
    "lite": {"grid": ["gates+mean", "metarnn"]},
    "standard": {
        "grid": ["base", "gates", "mean", "gates+mean", "metarnn", "metarnn lr/2", "metarnn std/2"],
        "projgrid": ["gates+mean"],
        "cartpole": [
            "base",
            "gates+mean",
            "gates+mean sparse",
            "gates+mean+partial",
            "gates+mean+random",
            "gates+mean L500",
        ],
    },
    "paper": {
        "grid": list(VARIANTS),
        "projgrid": list(VARIANTS),
        "cartpole": [v for v in VARIANTS if v not in GRID_ONLY],
    },
}

# The preset whose sizes (and checkpoints) a preset's ablation meta-trains with: the standard
# ablation is lite's plan grown, not lite's runs made longer, so it resumes every run a lite batch
# made (the same program, so the same numbers) and meta-trains only the variants lite leaves out.
TRAINS_AT = {"standard": "lite"}


def train_preset(preset: str) -> str:
    """The preset whose meta-training sizes and checkpoints the ablation at `preset` uses."""
    return TRAINS_AT.get(preset, preset)


# (setting, variant)s of the plan also meta-tested part-way through their meta-training
# (`budget.train_milestones`), at these fractions of the preset's generations: how the score grows
# with the ES budget, so that the budget a claim needs can be extrapolated (`extrapolate`).
BUDGET = {
    "smoke": [("cartpole", "gates+mean")],
    # lite's plan runs none of these: they serve side runs (docs/ablations.md) and the standard plan
    "lite": [("cartpole", v) for v in ("gates+mean L500", "gates+mean L500 x4")],
    "paper": [("cartpole", "gates+mean L500"), ("projgrid", "gates+mean")],
}
BUDGET["standard"] = BUDGET["lite"] + [("projgrid", "gates+mean")]
FRACTIONS = (0.25, 0.5, 1.0)

# (setting, variant) -> (notebook, tag) of an experiment whose own SymLA meta-training is the same
# run (same environment, preset and seeds; the variant's options are the agent's defaults): the
# ablation resumes, or writes, that notebook's checkpoint, so a batch meta-trains it once.
SHARED = {
    ("grid", "gates+mean"): ("unseen_tasks", "symla"),
    ("grid", "metarnn"): ("unseen_tasks", "metarnn"),
    ("projgrid", "gates+mean"): ("unseen_environments", "symla"),
    ("cartpole", "gates+mean"): ("unseen_observations", "symla"),
}
