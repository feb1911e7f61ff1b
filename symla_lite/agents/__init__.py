"""Agents with one interface (SPEC section 1): init, initial_state, step."""

import dataclasses

import jax

from symla_lite.agents.metarnn import MetaRNN
from symla_lite.agents.symla import SymLA

AGENTS = {"symla": SymLA, "metarnn": MetaRNN}


def make(name: str, **config):
    """Build an agent by name: make("symla", hidden=64) or make("metarnn", num_obs=1, num_actions=2)."""
    if name not in AGENTS:
        raise ValueError(f"unknown agent {name!r}; choose one of {sorted(AGENTS)}")
    cls = AGENTS[name]
    fields = {f.name for f in dataclasses.fields(cls) if f.name != "name"}
    unknown = sorted(set(config) - fields)
    if unknown:
        raise ValueError(f"unknown option(s) {unknown} for agent {name!r}; valid: {sorted(fields)}")
    try:
        return cls(**config)
    except TypeError as err:
        raise ValueError(f"agent {name!r}: {err}") from None


def num_params(params) -> int:
    """The number of meta-parameters in a parameter pytree."""
    return int(sum(x.size for x in jax.tree_util.tree_leaves(params)))


__all__ = ["AGENTS", "MetaRNN", "SymLA", "make", "num_params"]
