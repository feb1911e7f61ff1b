"""Environments on the gymnax API, each with `sample_params(key)` drawing one lifetime's task."""

from symla_lite.envs.bandit import DISTRIBUTIONS, Bandit
from symla_lite.envs.classic import CLASSIC, Classic, classic
from symla_lite.envs.gridworld import GridWorld
from symla_lite.envs.gymnax_any import ATLAS, FLAT, SKIPPED, Flat, flat
from symla_lite.envs.mixture import FAMILIES, Mixture
from symla_lite.envs.random_control import BASE, RandomControl
from symla_lite.envs.random_mdp import RandomMDP
from symla_lite.envs.wrappers import (
    ActionPermutation,
    ObservationPermutation,
    ObservationProjection,
    Wrapper,
)

ENVS = {
    "bandit": Bandit,
    "gridworld": GridWorld,
    "random_mdp": RandomMDP,
    "random_control": RandomControl,
    "mixture": Mixture,
    **{k: k for k in (*CLASSIC, *FLAT)},
}
# Meta-testing only: classic control and every environment of the atlas never enter meta-training.
HELD_OUT = tuple(dict.fromkeys((*CLASSIC, *ATLAS)))


def check_training_env(name: str) -> None:
    """Raise ValueError unless `name` may enter meta-training: held-out environments (`HELD_OUT`)
    are for meta-testing only, and unknown or unsupported names are refused too."""
    if name in HELD_OUT:
        trainable = sorted(k for k in ENVS if k not in HELD_OUT)
        raise ValueError(
            f"environment {name!r} is held out for meta-testing: it must never enter "
            f"meta-training (envs.HELD_OUT); meta-train on {trainable}"
        )
    if name in SKIPPED:
        raise ValueError(f"environment {name!r} is not supported: {SKIPPED[name]}")
    if name not in ENVS:
        raise ValueError(f"unknown environment {name!r}; choose one of {sorted(ENVS)}")


def make(
    name: str,
    *,
    permute_actions: bool | None = None,
    permute_obs: bool = False,
    project_obs: int | None = None,
    **kwargs,
):
    """Build an environment by name, optionally transformed per lifetime.

    make("bandit", dist="uniform_dependent", num_arms=2); make("gridworld", size=4, swap=True);
    make("CartPole-v1", permute_obs=True, permute_actions=True); make("Acrobot-v1", project_obs=16);
    make("Breakout-MinAtar", project_obs=16) (any environment of the atlas, `gymnax_any.ATLAS`);
    make("random_mdp", project_obs=16, permute_actions=True); make("random_control", **BASE);
    make("mixture", families={"gridworld": 1, "random_control": 1}, project_obs=16) (a training
    distribution of task families, `envs.mixture`: its families' observations projected to 16 dims
    and their actions permuted per lifetime unless permute_actions=False).
    Order of the transformations: observations permuted, then projected to `project_obs` dims, then
    actions permuted.
    """
    if name == "mixture":
        if permute_obs:
            raise ValueError("a mixture projects its families' observations; permute_obs is unused")
        return Mixture(
            project_obs=16 if project_obs is None else project_obs,
            permute_actions=True if permute_actions is None else permute_actions,
            **kwargs,
        )
    if name in SKIPPED:
        raise ValueError(f"environment {name!r} is not supported: {SKIPPED[name]}")
    if name not in ENVS:
        raise ValueError(f"unknown environment {name!r}; choose one of {sorted(ENVS)}")
    if name in CLASSIC:
        if set(kwargs) - {"reward"}:
            raise ValueError(f"environment {name!r} takes only reward=, got {sorted(kwargs)}")
        env = classic(name, **kwargs)
    elif name in FLAT:
        if kwargs:
            raise ValueError(f"environment {name!r} takes no options, got {sorted(kwargs)}")
        env = flat(name)
    else:
        try:
            env = ENVS[name](**kwargs)
        except TypeError as err:
            raise ValueError(f"environment {name!r}: {err}") from None
    if permute_obs:
        env = ObservationPermutation(env)
    if project_obs is not None:
        env = ObservationProjection(env, dim=int(project_obs))
    if permute_actions:
        env = ActionPermutation(env)
    return env


__all__ = [
    "ATLAS",
    "BASE",
    "CLASSIC",
    "DISTRIBUTIONS",
    "FAMILIES",
    "ENVS",
    "FLAT",
    "HELD_OUT",
    "Mixture",
    "SKIPPED",
    "ActionPermutation",
    "Bandit",
    "Classic",
    "Flat",
    "GridWorld",
    "ObservationPermutation",
    "ObservationProjection",
    "RandomControl",
    "RandomMDP",
    "Wrapper",
    "check_training_env",
    "classic",
    "flat",
    "make",
]
