"""Compiler options per agent: SymLA's CPU programs at LLVM level 2, everything else XLA's default,
the level reaches the compiled programs, and SymLA's meta-training agrees at either level."""

import jax
import numpy as np
import pytest

from symla_lite import agents, compilation, evaluation, meta


def test_symla_gets_level_2_and_the_others_xla_defaults(monkeypatch):
    monkeypatch.delenv(compilation.ENV, raising=False)
    assert jax.default_backend() == "cpu"
    assert compilation.options(agents.make("symla")) == {"xla_backend_optimization_level": 2}
    for name in ("metarnn", "random", "thompson"):
        assert compilation.options(agents.make(name)) is None


@pytest.mark.parametrize(("value", "want"), [("1", 1), (" 3 ", 3), ("default", None)])
def test_the_environment_variable_sets_the_level(monkeypatch, value, want):
    monkeypatch.setenv(compilation.ENV, value)
    got = compilation.options(agents.make("symla"))
    assert got == (None if want is None else {"xla_backend_optimization_level": want})


def test_an_unknown_level_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(compilation.ENV, "fast")
    with pytest.raises(ValueError, match="SYMLA_LITE_OPT_LEVEL='fast'.*choose one of"):
        compilation.options(agents.make("symla"))


def test_meta_training_and_evaluation_compile_with_the_options(monkeypatch):
    seen = []
    jit = jax.jit

    def spy(fun, **kw):
        seen.append(kw.get("compiler_options"))
        return jit(fun, **kw)

    monkeypatch.delenv(compilation.ENV, raising=False)
    monkeypatch.setattr(jax, "jit", spy)
    for name in ("symla", "metarnn"):
        config = meta.TrainConfig(agent=name, preset="smoke", generations=1, progress=False)
        res = meta.train(config)
        test = evaluation.test_set(res.env, jax.random.key(0), 2)
        evaluation.run(res.agent, res.params, test, 5)
    level2 = {"xla_backend_optimization_level": 2}
    assert seen == [level2, level2, None, None]


def test_symla_meta_training_agrees_at_levels_2_and_default(monkeypatch):
    config = meta.TrainConfig(agent="symla", preset="smoke", generations=3, progress=False)
    runs = {}
    for level in ("2", "default"):
        monkeypatch.setenv(compilation.ENV, level)
        runs[level] = meta.train(config)
    flat = {
        k: np.concatenate([np.ravel(x) for x in jax.tree.leaves(r.params)]) for k, r in runs.items()
    }
    # bitwise equal on the CPUs measured (README "Performance"); a float32 bound holds anywhere
    np.testing.assert_allclose(flat["2"], flat["default"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        runs["2"].history.mean_fitness, runs["default"].history.mean_fitness, rtol=1e-4
    )
