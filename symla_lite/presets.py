"""Meta-training presets (SPEC section 2, Appendix C.2).

`paper` is Appendix C exactly; `lite` runs in minutes on a 2-core CPU and still shows the paper's
effects; `standard` is `lite` except where lite cannot show an effect that a longer run shows
(`EXPERIMENTS`: each RL notebook under an hour on 2 cores); `smoke` runs in seconds for tests and CI. Bandits and the other environments ("rl") have
separate columns, as in the paper. `evaluation(preset)` gives the meta-test sizes of every
experiment; the lifetime at meta-test is the trained config's unless an experiment says otherwise.
"""

PRESETS = ("smoke", "lite", "standard", "paper")
FAMILIES = ("bandit", "rl")

_TABLE = {
    ("paper", "bandit"): dict(
        population=512, num_evals=100, lifetime=100, generations=4000, lr=0.2, std=0.2, hidden=64
    ),
    ("paper", "rl"): dict(
        population=512, num_evals=10, lifetime=500, generations=20000, lr=0.01, std=0.035, hidden=16
    ),
    ("lite", "bandit"): dict(
        population=64, num_evals=32, lifetime=100, generations=200, lr=0.05, std=0.1, hidden=16
    ),
    ("lite", "rl"): dict(
        population=64, num_evals=4, lifetime=200, generations=400, lr=0.05, std=0.1, hidden=16
    ),
    # smoke bandit: 25 generations, one chunk of meta.TrainConfig.checkpoint_every (25), so that a
    # smoke meta-training compiles one program, not two (30 took a second one for the last 5; most
    # of a smoke notebook's time is compiling); ES still gains about 2.8 in fitness (tests/test_meta)
    ("smoke", "bandit"): dict(
        population=16, num_evals=32, lifetime=20, generations=25, lr=0.2, std=0.1, hidden=8
    ),
    ("smoke", "rl"): dict(
        population=8, num_evals=2, lifetime=50, generations=3, lr=0.02, std=0.05, hidden=4
    ),
}
for _family in FAMILIES:  # standard is lite but for EXPERIMENTS
    _TABLE[("standard", _family)] = _TABLE[("lite", _family)]


def _check(name: str) -> None:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {list(PRESETS)}")


def preset(name: str, family: str = "bandit") -> dict:
    """The hyper-parameters of a preset: population, num_evals, lifetime, generations, lr, std, hidden."""
    _check(name)
    if family not in FAMILIES:
        raise ValueError(f"unknown preset family {family!r}; choose one of {list(FAMILIES)}")
    return dict(_TABLE[(name, family)])


# Every experiment meta-trains this many seeds per agent and setting, in one program
# (`meta.train_seeds`); a claim's verdict needs at least 3 (`symla_lite.verdict`).
NUM_SEEDS = 3


# Where an experiment departs from its preset's table: TrainConfig fields (lifetime, generations,
# ...) and `seeds`, its number of meta-training seeds. At lite, SymLA's CartPole falls are below
# half of random's on average but not by 2 standard errors over 3 seeds; measured (docs/ablations.md,
# budget curves), it takes lifetimes of 500 steps, 800 generations and 6 seeds (2 of 6 seeds stay on a
# poor controller), about 30 minutes of meta-training here.
# The projected grid world (`transfer.train`, shared by unseen_environments and the atlas) meta-trains
# 100 generations, not the table's 400: measured on the 400-generation run's milestones
# (`results/standard/ablations_budget.csv`), SymLA scores no worse at 100 in distribution (hearts
# minus traps 18.2 +- 2.0 against 11.4 +- 2.6 at 400) nor on the transfer to CartPole (-1.01
# against -1.26), and 100 generations cost a quarter of the default batch's largest meta-training.
# At lite, CartPole (unseen_observations) meta-trains 200 generations, not 400: on the lite batch's
# 400-generation run (commit 771ab2d, results/ablations_training.csv) SymLA's fitness over
# generations 190-199 was 194.9, 194.9 and 196.0 per seed (about 5.1, 5.1 and 4.0 falls per
# lifetime of 200 steps), at 390-399 195.0, 195.3 and 196.8, against random's 8.3 falls: the lite
# claim (falls below random's) does not need the second half, and the claim that does (at most half
# of random's) is the standard preset's.
# The generalist (`transfer.train_generalist`, a mixture of task families) meta-trains 200
# generations at lite: about 5 minutes for SymLA's 3 seeds here, which keeps the default batch under
# 35 minutes from scratch. Its fitness is still rising at 200 and one seed in three can take the
# grid world's habit, so the standard preset meta-trains 6 seeds for 800 generations (about 32
# minutes for SymLA on 2 cores), keeping 200 and 400 on the way (`transfer.milestones`: the budget
# curve); the default batch meta-tests what it ships.
EXPERIMENTS = {
    ("lite", "generalist"): dict(generations=200),
    ("standard", "generalist"): dict(generations=800, seeds=6),
    ("lite", "unseen_environments"): dict(generations=100),
    ("lite", "unseen_observations"): dict(generations=200),
    ("standard", "unseen_environments"): dict(generations=100),
    ("standard", "unseen_observations"): dict(lifetime=500, generations=800, seeds=6),
}


def experiment(name: str, experiment: str) -> tuple[dict, int]:
    """(TrainConfig fields that override the preset's table for `experiment`, its number of
    meta-training seeds): ({}, NUM_SEEDS) where the experiment follows the table."""
    _check(name)
    fields = dict(EXPERIMENTS.get((name, experiment), {}))
    return fields, fields.pop("seeds", NUM_SEEDS)


# The batch of a preset below `standard` meta-tests the meta-parameters a `standard` batch wrote
# (committed under results/standard) where the experiment departs at standard: the default batch
# stays within its budget and still reports the claims that need the longer run.
SHIPPED = "standard"


def ships(name: str) -> bool:
    """Whether a batch at preset `name` also meta-tests SHIPPED meta-parameters."""
    _check(name)
    return PRESETS.index(name) < PRESETS.index(SHIPPED)


def seeds(seed: int, n: int = NUM_SEEDS) -> list[int]:
    """The meta-training seeds of a run with base seed `seed`: seed, seed + 1, ..., seed + n - 1."""
    if n < 1:
        raise ValueError(f"need at least one seed, got n={n}")
    return [int(seed) + i for i in range(n)]


# The bandit distributions (Wang et al., `envs.bandit.DISTRIBUTIONS`) the bandits notebook meta-trains
# and meta-tests every agent on: its in-distribution table and train x test matrix. At lite 3 of the
# 5, the independent one, the uniform dependent one (the headline claim) and the hardest dependent
# one: each further distribution costs the default batch about 95 s of meta-training on a 2-core
# CPU (SymLA and MetaRNN, 3 seeds each; 160 s before SymLA's LLVM level 2, `compilation`), and the
# batch must stay under 30 minutes (docs/regeneration.md);
# standard and paper run all 5, smoke 2. The unseen-action tests add `biased` and
# `uniform_independent` at every preset.
BANDIT_DISTRIBUTIONS = {
    "smoke": ("uniform_dependent", "hard_dependent"),
    "lite": ("uniform_independent", "uniform_dependent", "hard_dependent"),
    "standard": (
        "uniform_independent",
        "uniform_dependent",
        "easy_dependent",
        "medium_dependent",
        "hard_dependent",
    ),
}
BANDIT_DISTRIBUTIONS["paper"] = BANDIT_DISTRIBUTIONS["standard"]


def bandit_distributions(name: str) -> list[str]:
    """The bandit distributions the bandits notebook uses at preset `name` (BANDIT_DISTRIBUTIONS)."""
    _check(name)
    return list(BANDIT_DISTRIBUTIONS[name])


# The grid world the experiments meta-train on (a reconstruction, see envs.gridworld): 4 x 4 cells,
# episodes of at most 16 steps.
GRID = dict(size=4, max_steps=16)

_EVALUATION = {
    "smoke": dict(
        bandit_tests=10_000,
        tour_tests=500,
        rl_tests=8,
        transfer_lifetime=100,
        symmetry_trials=3,
        atlas_tests=4,
        atlas_lifetime_scale=0.2,
    ),
    # bandit_tests halved (10,000 before) to fit the default batch in 30 minutes on a 2-core CPU:
    # a claim's spread is across seeds, and each seed's mean regret over 5,000 lifetimes stays tight
    "lite": dict(
        bandit_tests=5000,
        tour_tests=5000,
        rl_tests=64,
        transfer_lifetime=2000,
        symmetry_trials=32,
        atlas_tests=32,
        atlas_lifetime_scale=1.0,
    ),
    "paper": dict(
        bandit_tests=100_000,
        tour_tests=20_000,
        rl_tests=256,
        transfer_lifetime=5000,
        symmetry_trials=128,
        atlas_tests=256,
        atlas_lifetime_scale=1.0,
    ),
}
_EVALUATION["standard"] = _EVALUATION["lite"]
EVALUATION_DOC = {
    "bandit_tests": "test lifetimes per bandit setting",
    "tour_tests": "test lifetimes of the tour's regret comparison",
    "rl_tests": "test lifetimes per RL method and setting",
    "transfer_lifetime": "meta-test lifetime on unseen environments (several CartPole episodes)",
    "symmetry_trials": "random params x permutations per Table 1 check",
    "atlas_tests": "test lifetimes per environment and method (per seed) of the atlas",
    "atlas_lifetime_scale": "factor on the atlas's per-environment lifetimes (experiments.atlas)",
}


def evaluation(name: str) -> dict:
    """Meta-test sizes of a preset: bandit_tests, tour_tests, rl_tests, transfer_lifetime,
    symmetry_trials, atlas_tests, atlas_lifetime_scale (see EVALUATION_DOC)."""
    _check(name)
    return dict(_EVALUATION[name])
