"""symla_lite: SymLA and MetaRNN meta-learners, their environments and ES meta-training."""

from symla_lite import agents, envs, io, meta, params_io, presets, rollout, symmetry
from symla_lite.params_io import load_params, save_params

__version__ = "0.1.0"
__all__ = [
    "agents",
    "envs",
    "io",
    "load_params",
    "meta",
    "params_io",
    "presets",
    "rollout",
    "save_params",
    "symmetry",
]
