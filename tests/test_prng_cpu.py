"""symla_lite.prng_cpu: unrolled threefry on CPU gives the same bits, without a rolled loop."""

import jax
import jax.numpy as jnp
import numpy as np
from jax._src.interpreters import mlir
from jax._src.random import threefry2x32 as threefry

from symla_lite import prng_cpu, rollout  # noqa: F401  (rollout registers the unrolled rule)


def _draws(key):
    k1, k2 = jax.random.split(key)
    return (
        jax.random.bits(k1, (7, 3)),
        jax.random.categorical(k2, jnp.arange(5.0), shape=(11,)),
        jax.random.normal(jax.random.fold_in(key, 3), (4,)),
    )


def _compiled_with(rule):
    mlir.register_lowering(threefry.threefry2x32_p, rule, platform="cpu", inline=False)
    fn = jax.jit(lambda k: _draws(k))  # a new function: lowered with `rule`
    return fn, fn.lower(jax.random.key(0)).as_text()


def test_unrolled_threefry_draws_the_same_bits_without_a_loop():
    try:
        rolled, rolled_text = _compiled_with(threefry._threefry2x32_cpu_lowering_rule)
        expected = [np.asarray(x) for x in rolled(jax.random.key(42))]
        unrolled, unrolled_text = _compiled_with(threefry._threefry2x32_lowering_rule)
        got = [np.asarray(x) for x in unrolled(jax.random.key(42))]
    finally:
        prng_cpu._done = False
        assert prng_cpu.use_unrolled()
    for e, g in zip(expected, got, strict=True):
        np.testing.assert_array_equal(g, e)
    assert "stablehlo.while" in rolled_text
    assert "stablehlo.while" not in unrolled_text


def test_use_unrolled_is_idempotent():
    assert prng_cpu.use_unrolled() and prng_cpu.use_unrolled()
