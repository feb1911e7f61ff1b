"""Threefry random bits on CPU with the rounds unrolled: the same bits, less time per step.

jaxlib lowers `threefry2x32` on CPU with its 20 rounds in a rolled `while` loop (small programs,
quick compiles); inside a lifetime's `lax.scan` every key split and draw then runs that loop through
XLA:CPU's executor, step after step. JAX's lowering for the other platforms unrolls the rounds;
it computes the same integers, so every random number, and every result, stays bitwise the same
(tests/test_prng_cpu.py). `use_unrolled()` registers it for CPU; `symla_lite.rollout` calls it on
import, before anything is compiled. Measured: benchmarks/throughput.py, README "Throughput".
"""

_done = False


def use_unrolled() -> bool:
    """Lower threefry2x32 on CPU as JAX does on GPU (unrolled); True if registered.

    Idempotent. Returns False, and changes nothing, when this jax does not have the private
    lowering rules it needs (the pinned version has them).
    """
    global _done
    if _done:
        return True
    try:
        from jax._src.interpreters import mlir
        from jax._src.random import threefry2x32 as threefry
    except ImportError:
        return False
    rule = getattr(threefry, "_threefry2x32_lowering_rule", None)
    if rule is None or not hasattr(threefry, "threefry2x32_p"):
        return False
    mlir.register_lowering(threefry.threefry2x32_p, rule, platform="cpu", inline=False)
    _done = True
    return True
