"""How XLA compiles the programs that run an agent on CPU: SymLA's at LLVM optimisation level 2,
every agent's meta-training with 512-bit vectors where the CPU has AVX-512.

XLA:CPU's default backend level (3) made SymLA's programs at the lite and RL shapes slower, not
faster. On a 2-core Intel Xeon with AVX-512 (jax 0.10.2, two CPU devices), same-process A/B of one
compiled meta-training program per level, 3 seeds in one program, per 2 generations, default ->
level 2: lite bandit 0.96 -> 0.57 s, grid world 1.05 -> 0.87 s, projected grid world 3.69 -> 3.07 s,
CartPole 0.81 -> 0.40 s, compilation 1.1 to 2.1 times faster; at the paper bandit shapes (N = 64)
7.8 -> 8.2 s. SymLA's meta-parameters, fitness and test lifetimes were bitwise the same at either
level there, and the lite batch from scratch was byte-identical in 1,542 s instead of 2,122 s.
MetaRNN keeps XLA's default level: level 2 changed its last bits (its reductions are vectorised
otherwise) and gained little. `benchmarks/throughput.py --opt-level default` measures
SymLA at XLA's default level (docs/performance.md has both tables).

XLA:CPU emits element-wise loops for 256-bit vectors by default. At hidden size 16, SymLA's step
time goes mostly to its LSTM cells' sigmoids and tanhs (per-thunk profile of the lite grid world's
agent scan: gate products 31%, the two element-wise fusions 41%, input concatenation 11%, message
products 14%), and on the same machine 512-bit vectors (`xla_cpu_prefer_vector_width`) ran whole
generations faster with bitwise the same ES states and outputs (same-process A/B, 3 seeds, 2
generations, 256 -> 512): SymLA lite bandit 0.63 -> 0.55 s, projected grid world 4.40 -> 3.80 s,
CartPole 0.67 -> 0.58 s, paper bandit (one seed, one generation) 9.5 -> 8.2 s; MetaRNN lite bandit
0.19 -> 0.16 s, grid world and CartPole about 5% faster. Only meta-training gets the width: in the
test lifetimes it changed the last bits of some environments' dynamics (a lite batch with it
everywhere changed REINFORCE's Acrobot returns and SymLA's Freeway-MinAtar ones, no verdict), and
meta-training is where the time goes.

Environment overrides: SYMLA_LITE_OPT_LEVEL, SymLA's level: 0 to 3, or "default" (XLA's own);
SYMLA_LITE_VECTOR_WIDTH, the vector width of every agent's meta-training: 128, 256, 512, or
"default" (XLA's own, 256), by default 512 where /proc/cpuinfo lists avx512f and XLA's own
elsewhere. The benchmark (`benchmarks/throughput.py`) prints both.
"""

import functools
import os

ENV = "SYMLA_LITE_OPT_LEVEL"
SYMLA_LEVEL = 2
LEVELS = ("0", "1", "2", "3", "default")
WIDTH_ENV = "SYMLA_LITE_VECTOR_WIDTH"
WIDTHS = ("128", "256", "512", "default")
PROGRAMS = ("meta_training", "evaluation")


def symla_level() -> str:
    """The LLVM optimisation level SymLA's CPU programs compile at: "0" to "3" or "default"."""
    level = os.environ.get(ENV, str(SYMLA_LEVEL)).strip()
    if level not in LEVELS:
        raise ValueError(f"{ENV}={level!r} is not a level; choose one of {LEVELS}")
    return level


@functools.cache  # read once per process: options() runs at every jit it configures
def has_avx512(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """Whether the CPU lists the avx512f flag (False where there is no /proc/cpuinfo)."""
    try:
        with open(cpuinfo) as f:
            return any(line.startswith("flags") and "avx512f" in line.split() for line in f)
    except OSError:
        return False


def vector_width() -> str:
    """The vector width XLA:CPU emits element-wise loops for: "128", "256", "512" or "default"."""
    width = os.environ.get(WIDTH_ENV, "512" if has_avx512() else "default").strip()
    if width not in WIDTHS:
        raise ValueError(f"{WIDTH_ENV}={width!r} is not a vector width; choose one of {WIDTHS}")
    return width


def options(agent, program: str = "meta_training") -> dict | None:
    """`jax.jit`'s `compiler_options` for a `program` ("meta_training" or "evaluation") that runs
    `agent` (None: XLA's defaults).

    Only on the CPU backend: SymLA's programs get a level of their own, and every agent's
    meta-training the vector width (see the module docstring)."""
    import jax

    if program not in PROGRAMS:
        raise ValueError(f"unknown program {program!r}; choose one of {PROGRAMS}")
    if jax.default_backend() != "cpu":
        return None
    opts = {}
    level = symla_level() if getattr(agent, "name", None) == "symla" else "default"
    if level != "default":
        opts["xla_backend_optimization_level"] = int(level)
    width = vector_width() if program == "meta_training" else "default"
    if width != "default":
        opts["xla_cpu_prefer_vector_width"] = int(width)
    return opts or None
