"""benchmarks/thunk_profile.py: thunks of an optimised HLO module classed by what they compute."""

import sys
from pathlib import Path

import jax
import jax.numpy as jnp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import thunk_profile  # noqa: E402


def test_hlo_kinds_classes_products_transcendentals_and_concatenations():
    def f(a, b, x):
        y = jnp.tanh(a @ b) * 2.0
        z = jnp.concatenate([x, x[::-1]]) + 1.0
        return y, z

    args = (jnp.ones((64, 64)), jnp.ones((64, 64)), jnp.arange(8.0))
    kinds = thunk_profile.hlo_kinds(jax.jit(f).lower(*args).compile().as_text())
    found = {kind for kind, _ in kinds.values()}
    assert {"product", "transcendental", "concatenate"} <= found, kinds
    shapes = {shape for kind, shape in kinds.values() if kind == "concatenate"}
    assert "f32[16]" in shapes, kinds
