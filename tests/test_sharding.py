"""The population sharded over 4 (forced host) devices gives the single-device meta-parameters;
importing symla_lite gives JAX one CPU device per core unless the user chose a count, without
importing JAX itself."""

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import json
    import jax
    import numpy as np
    from symla_lite import meta, sharding

    def flat(params):
        return np.concatenate([np.ravel(x) for x in jax.tree_util.tree_leaves(params)])

    out = {"devices": jax.device_count()}
    for agent in ("symla",):
        base = dict(agent=agent, preset="smoke", generations=2, num_evals=8, progress=False)
        sharded = meta.train(meta.TrainConfig(**base, population=12))
        single = meta.train(meta.TrainConfig(**base, population=12, shard=False))
        init = sharded.agent.init(jax.random.split(jax.random.key(0), 3)[0])
        out[agent] = dict(
            mesh=sharding.population_mesh(12).size,
            params_equal=bool(np.array_equal(flat(sharded.params), flat(single.params))),
            fitness_equal=bool(
                np.array_equal(sharded.history.mean_fitness, single.history.mean_fitness)
            ),
            moved=float(np.abs(flat(sharded.params) - flat(init)).max()),
        )
    out["odd_mesh"] = sharding.population_mesh(6).size
    print(json.dumps(out))
    """
)


def test_sharded_population_gives_the_single_device_meta_parameters():
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4"}
    env.pop("SYMLA_DISTRIBUTED", None)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["devices"] == 4
    assert out["odd_mesh"] == 2  # 6 members over 4 devices: the largest even split, 2 devices
    for agent in ("symla",):
        res = out[agent]
        assert res["mesh"] == 4, (agent, res)
        assert res["params_equal"] and res["fitness_equal"], (agent, res)
        assert res["moved"] > 0, (agent, res)  # training did change the parameters


def _device_count(**env_vars) -> int:
    env = {k: v for k, v in os.environ.items() if k not in ("JAX_NUM_CPU_DEVICES", "XLA_FLAGS")}
    code = "import symla_lite, jax; print(jax.device_count())"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**env, **env_vars}
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return int(proc.stdout.strip().splitlines()[-1])


def test_one_cpu_device_per_core_unless_the_user_chose():
    assert _device_count(JAX_PLATFORMS="cpu") == len(os.sched_getaffinity(0))
    assert _device_count(JAX_PLATFORMS="cpu", JAX_NUM_CPU_DEVICES="1") == 1
    flags = "--xla_force_host_platform_device_count=3"
    assert _device_count(JAX_PLATFORMS="cpu", XLA_FLAGS=flags) == 3


def test_a_count_inherited_from_symla_lite_is_not_the_users_choice():
    # A process that imported symla_lite before JAX passes the count to its children in the
    # environment; a child that imports symla_lite still follows its own XLA_FLAGS.
    code = textwrap.dedent(
        """
        import os, subprocess, sys
        import symla_lite
        cores = str(len(os.sched_getaffinity(0)))
        assert "jax" not in sys.modules and os.environ["JAX_NUM_CPU_DEVICES"] == cores
        env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=3"}
        for child in ("import symla_lite, jax", "import jax, symla_lite"):
            code = child + "; print(jax.device_count())"
            out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
            print(out.stdout.decode().strip())
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in ("JAX_NUM_CPU_DEVICES", "XLA_FLAGS")}
    env.pop("SYMLA_LITE_AUTO_CPU_DEVICES", None)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**env, "JAX_PLATFORMS": "cpu"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["3", "3"]
