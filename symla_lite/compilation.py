"""How XLA compiles the programs that run an agent: SymLA's at LLVM optimisation level 2 on CPU.

XLA:CPU's default backend level (3) made SymLA's programs at the lite and RL shapes slower, not
faster. On a 2-core Intel Xeon with AVX-512 (jax 0.10.2, two CPU devices), same-process A/B of one
compiled meta-training program per level, 3 seeds in one program, per 2 generations, default ->
level 2: lite bandit 0.96 -> 0.57 s, grid world 1.05 -> 0.87 s, projected grid world 3.69 -> 3.07 s,
CartPole 0.81 -> 0.40 s, compilation 1.1 to 2.1 times faster; at the paper bandit shapes (N = 64)
7.8 -> 8.2 s. SymLA's meta-parameters, fitness and test lifetimes were bitwise the same at either
level there, and the lite batch from scratch was byte-identical in 1,542 s instead of 2,122 s.
MetaRNN keeps XLA's default: level 2 changed its last bits (its reductions are vectorised
otherwise) and gained little. `benchmarks/throughput.py --opt-level default` measures
SymLA at XLA's default level (README "Performance" has both tables).

SYMLA_LITE_OPT_LEVEL overrides the level for SymLA: 0 to 3, or "default" (XLA's own); the benchmark
(`benchmarks/throughput.py`) prints the level it ran with.
"""

import os

ENV = "SYMLA_LITE_OPT_LEVEL"
SYMLA_LEVEL = 2
LEVELS = ("0", "1", "2", "3", "default")


def symla_level() -> str:
    """The LLVM optimisation level SymLA's CPU programs compile at: "0" to "3" or "default"."""
    level = os.environ.get(ENV, str(SYMLA_LEVEL)).strip()
    if level not in LEVELS:
        raise ValueError(f"{ENV}={level!r} is not a level; choose one of {LEVELS}")
    return level


def options(agent) -> dict | None:
    """`jax.jit`'s `compiler_options` for a program that runs `agent` (None: XLA's defaults).

    Only SymLA on the CPU backend gets a level of its own (see the module docstring)."""
    import jax

    if getattr(agent, "name", None) != "symla" or jax.default_backend() != "cpu":
        return None
    level = symla_level()
    return None if level == "default" else {"xla_backend_optimization_level": int(level)}
