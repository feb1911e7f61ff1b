"""Compiler options per agent: SymLA's CPU programs at LLVM level 2, every agent's at the vector
width the CPU allows, the options reach the compiled programs, and meta-training agrees under
either level and either width."""

import jax
import numpy as np
import pytest

from symla_lite import agents, compilation, evaluation, meta


def test_symla_gets_level_2_and_the_others_xla_defaults(monkeypatch):
    monkeypatch.delenv(compilation.ENV, raising=False)
    monkeypatch.setenv(compilation.WIDTH_ENV, "default")
    assert jax.default_backend() == "cpu"
    assert compilation.options(agents.make("symla")) == {"xla_backend_optimization_level": 2}
    for name in ("metarnn", "random", "thompson"):
        assert compilation.options(agents.make(name)) is None


@pytest.mark.parametrize(("value", "want"), [("1", 1), (" 3 ", 3), ("default", None)])
def test_the_environment_variable_sets_the_level(monkeypatch, value, want):
    monkeypatch.setenv(compilation.ENV, value)
    monkeypatch.setenv(compilation.WIDTH_ENV, "default")
    got = compilation.options(agents.make("symla"))
    assert got == (None if want is None else {"xla_backend_optimization_level": want})


def test_an_unknown_level_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(compilation.ENV, "fast")
    with pytest.raises(ValueError, match="SYMLA_LITE_OPT_LEVEL='fast'.*choose one of"):
        compilation.options(agents.make("symla"))


def test_the_vector_width_goes_to_every_agent(monkeypatch):
    monkeypatch.delenv(compilation.ENV, raising=False)
    monkeypatch.setenv(compilation.WIDTH_ENV, "512")
    wide = {"xla_cpu_prefer_vector_width": 512}
    assert compilation.options(agents.make("symla")) == {
        "xla_backend_optimization_level": 2,
        **wide,
    }
    for name in ("metarnn", "random", "thompson"):
        assert compilation.options(agents.make(name)) == wide
        assert compilation.options(agents.make(name), "evaluation") is None
    level2 = {"xla_backend_optimization_level": 2}
    assert compilation.options(agents.make("symla"), "evaluation") == level2
    monkeypatch.setenv(compilation.ENV, "default")
    assert compilation.options(agents.make("symla")) == wide
    with pytest.raises(ValueError, match="unknown program 'test'"):
        compilation.options(agents.make("symla"), "test")


def test_an_unknown_vector_width_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(compilation.WIDTH_ENV, "1024")
    with pytest.raises(ValueError, match="SYMLA_LITE_VECTOR_WIDTH='1024'.*choose one of"):
        compilation.options(agents.make("metarnn"))


def test_the_default_width_follows_the_cpu_flags(monkeypatch, tmp_path):
    monkeypatch.delenv(compilation.WIDTH_ENV, raising=False)
    flags = {"avx512": "sse2 avx2 avx512f avx512dq", "avx2": "sse2 avx2 avx512_vnni_lookalike"}
    for name, line in flags.items():
        (tmp_path / name).write_text(f"processor\t: 0\nflags\t\t: {line}\n")
    assert compilation.has_avx512(str(tmp_path / "avx512"))
    assert not compilation.has_avx512(str(tmp_path / "avx2"))
    assert not compilation.has_avx512(str(tmp_path / "missing"))
    for has, want in ((True, "512"), (False, "default")):
        monkeypatch.setattr(compilation, "has_avx512", lambda has=has: has)
        assert compilation.vector_width() == want


def test_meta_training_and_evaluation_compile_with_the_options(monkeypatch):
    seen = []
    jit = jax.jit

    def spy(fun, **kw):
        seen.append(kw.get("compiler_options"))
        return jit(fun, **kw)

    monkeypatch.delenv(compilation.ENV, raising=False)
    monkeypatch.setenv(compilation.WIDTH_ENV, "512")
    monkeypatch.setattr(jax, "jit", spy)
    for name in ("symla", "metarnn"):
        config = meta.TrainConfig(agent=name, preset="smoke", generations=1, progress=False)
        res = meta.train(config)
        test = evaluation.test_set(res.env, jax.random.key(0), 2)
        evaluation.run(res.agent, res.params, test, 5)
    level2 = {"xla_backend_optimization_level": 2}
    wide = {"xla_cpu_prefer_vector_width": 512}
    assert seen == [{**level2, **wide}, level2, wide, None]


@pytest.mark.parametrize(
    ("agent", "env_var", "values"),
    [
        ("symla", compilation.ENV, ("2", "default")),
        ("symla", compilation.WIDTH_ENV, ("512", "default")),
        ("metarnn", compilation.WIDTH_ENV, ("512", "default")),
    ],
)
def test_meta_training_agrees_under_either_option(monkeypatch, agent, env_var, values):
    config = meta.TrainConfig(agent=agent, preset="smoke", generations=3, progress=False)
    runs = {}
    for value in values:
        monkeypatch.setenv(env_var, value)
        runs[value] = meta.train(config)
    a, b = (runs[v] for v in values)
    flat_a, flat_b = (
        np.concatenate([np.ravel(x) for x in jax.tree.leaves(r.params)]) for r in (a, b)
    )
    # bitwise equal on the CPUs measured (README "Performance"); a float32 bound holds anywhere
    np.testing.assert_allclose(flat_a, flat_b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(a.history.mean_fitness, b.history.mean_fitness, rtol=1e-4)
