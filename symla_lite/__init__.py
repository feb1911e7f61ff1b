"""symla_lite: SymLA and MetaRNN meta-learners, their environments and ES meta-training."""

from symla_lite import agents, envs, io, meta, presets, rollout

__version__ = "0.1.0"
__all__ = ["agents", "envs", "io", "meta", "presets", "rollout"]
