"""Environments on the gymnax API, each with `sample_params(key)` drawing one lifetime's task."""

from symla_lite.envs.bandit import DISTRIBUTIONS, Bandit
from symla_lite.envs.wrappers import ActionPermutation, Wrapper

ENVS = {"bandit": Bandit}


def make(name: str, *, permute_actions: bool = False, **kwargs):
    """Build an environment by name, optionally with its actions permuted per lifetime.

    make("bandit", dist="uniform_dependent", num_arms=2)
    """
    if name not in ENVS:
        raise ValueError(f"unknown environment {name!r}; choose one of {sorted(ENVS)}")
    try:
        env = ENVS[name](**kwargs)
    except TypeError as err:
        raise ValueError(f"environment {name!r}: {err}") from None
    if permute_actions:
        env = ActionPermutation(env)
    return env


__all__ = ["DISTRIBUTIONS", "ENVS", "ActionPermutation", "Bandit", "Wrapper", "make"]
