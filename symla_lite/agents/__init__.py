"""Every agent behind one interface (`protocol.Agent`) and one registry: `make(name, **config)`."""

import dataclasses

import jax

from symla_lite.agents.baselines import UCB1, RandomPolicy, Thompson
from symla_lite.agents.bayes_optimal import BayesOptimal
from symla_lite.agents.metarnn import MetaRNN
from symla_lite.agents.protocol import NEG, Agent, choice_logits
from symla_lite.agents.reinforce import Reinforce
from symla_lite.agents.symla import SymLA

AGENTS = {
    "symla": SymLA,
    "metarnn": MetaRNN,
    "random": RandomPolicy,
    "ucb1": UCB1,
    "thompson": Thompson,
    "bayes_optimal": BayesOptimal,
    "reinforce": Reinforce,
}
META_LEARNED = ("symla", "metarnn")  # agents with meta-parameters, trained by `meta.train`
FIXED = ("random", "ucb1", "thompson", "bayes_optimal", "reinforce")  # fixed algorithms


def make(name: str, **config) -> Agent:
    """Build an agent by name: make("symla", hidden=64), make("metarnn", num_obs=1, num_actions=2),
    make("thompson"), make("bayes_optimal", prior="uniform_dependent", horizon=100),
    make("reinforce", lr=0.01). Unknown names or options raise ValueError naming the valid ones."""
    if name not in AGENTS:
        raise ValueError(f"unknown agent {name!r}; choose one of {sorted(AGENTS)}")
    cls = AGENTS[name]
    fields = {f.name for f in dataclasses.fields(cls) if f.name != "name"}
    unknown = sorted(set(config) - fields)
    if unknown:
        valid = sorted(fields) or "none"
        raise ValueError(f"unknown option(s) {unknown} for agent {name!r}; valid: {valid}")
    try:
        return cls(**config)
    except TypeError as err:
        raise ValueError(f"agent {name!r}: {err}") from None


def num_params(params) -> int:
    """The number of meta-parameters in a parameter pytree."""
    return int(sum(x.size for x in jax.tree_util.tree_leaves(params)))


__all__ = [
    "AGENTS",
    "FIXED",
    "META_LEARNED",
    "NEG",
    "UCB1",
    "Agent",
    "BayesOptimal",
    "MetaRNN",
    "RandomPolicy",
    "Reinforce",
    "SymLA",
    "Thompson",
    "choice_logits",
    "make",
    "num_params",
]
