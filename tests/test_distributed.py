"""Meta-training split over two processes (jax.distributed on the loopback address, one CPU device
each, gloo collectives) gives bitwise the meta-parameters of one process with two devices and of
one process with one device; every process returns them, only process 0 writes the checkpoint."""

import json
import os
import socket
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

AGENTS = ("symla", "metarnn")
# For each group of processes run together: a hang guard (the test must never hang), far beyond
# what the runs take on any machine (about 30 s on 2 busy cores), so that a slow machine never fails.
TIMEOUT_S = 900

CHILD = textwrap.dedent(
    """
    import json, sys
    import jax
    import numpy as np
    from symla_lite import meta, sharding  # with SYMLA_DISTRIBUTED=1, importing symla_lite joins the run

    out, ckpt = sys.argv[1], sys.argv[2]
    info = dict(
        processes=jax.process_count(),
        index=jax.process_index(),
        devices=jax.device_count(),
        local_devices=jax.local_device_count(),
        collectives=jax.config.jax_cpu_collectives_implementation,
    )
    params = {}
    for agent in sys.argv[3:]:
        config = meta.TrainConfig(
            agent=agent,
            env="bandit",
            preset="smoke",
            generations=3,
            progress=False,
            checkpoint_dir=f"{ckpt}/{agent}",
        )
        res = meta.train(config)
        flat = np.concatenate([np.ravel(np.asarray(x)) for x in jax.tree.leaves(res.params)])
        init = res.agent.init(jax.random.split(jax.random.key(config.seed), 3)[0])
        moved = flat - np.concatenate([np.ravel(np.asarray(x)) for x in jax.tree.leaves(init)])
        params[agent] = flat
        info[agent] = dict(
            mesh=sharding.population_mesh(config.hyper()["population"]).size,
            fitness=res.history.mean_fitness.tolist(),
            moved=float(np.abs(moved).max()),
        )
    np.savez(out + ".npz", **params)
    with open(out + ".json", "w") as f:
        json.dump(info, f)
    """
)

_DROP = (
    "XLA_FLAGS",
    "JAX_NUM_CPU_DEVICES",
    "SYMLA_LITE_AUTO_CPU_DEVICES",
    "SYMLA_DISTRIBUTED",
    "JAX_COORDINATOR_ADDRESS",
    "JAX_COORDINATOR_BIND_ADDRESS",
    "JAX_COORDINATOR_PORT",
    "JAX_NUM_PROCESSES",
    "JAX_PROCESS_ID",
    "JAX_LOCAL_DEVICE_IDS",
    "JAX_CPU_COLLECTIVES_IMPLEMENTATION",
)


def _base_env() -> dict:
    # No proxy (gRPC would route the coordinator's traffic through it) and nothing distributed or
    # device-count related inherited from the caller.
    env = {k: v for k, v in os.environ.items() if k not in _DROP and "proxy" not in k.lower()}
    return {**env, "JAX_PLATFORMS": "cpu"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_together(runs: dict, tmp_path) -> dict:
    """Start every run {name: env} at once, wait at most TIMEOUT_S; {name: (info, params)}.

    The children are killed if anything fails or runs out of time.
    """
    procs = {}
    try:
        for name, env in runs.items():
            log = (tmp_path / f"{name}.log").open("w")
            cmd = [
                sys.executable,
                "-c",
                CHILD,
                str(tmp_path / name),
                str(tmp_path / f"ckpt_{name}"),
            ]
            procs[name] = subprocess.Popen(
                [*cmd, *AGENTS], env=env, stdout=log, stderr=subprocess.STDOUT
            )
            log.close()
        deadline = time.monotonic() + TIMEOUT_S
        for name, proc in procs.items():
            try:
                rc = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise AssertionError(
                    f"{name} ran past {TIMEOUT_S} s:\n{_log(tmp_path, name)}"
                ) from None
            assert rc == 0, f"{name} exited with {rc}:\n{_log(tmp_path, name)}"
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    return {
        name: (
            json.loads((tmp_path / f"{name}.json").read_text()),
            dict(np.load(tmp_path / f"{name}.npz")),
        )
        for name in runs
    }


def _log(tmp_path, name: str) -> str:
    return (tmp_path / f"{name}.log").read_text()[-3000:]


@pytest.mark.heavy
def test_two_processes_give_the_one_process_meta_parameters_bitwise(tmp_path):
    base = _base_env()
    port = _free_port()
    joined = {
        **base,
        "SYMLA_DISTRIBUTED": "1",
        "JAX_COORDINATOR_ADDRESS": f"127.0.0.1:{port}",
        "JAX_COORDINATOR_BIND_ADDRESS": f"127.0.0.1:{port}",  # not JAX's default, every interface
        "JAX_NUM_PROCESSES": "2",
        "JAX_NUM_CPU_DEVICES": "1",
    }
    t0 = time.perf_counter()
    out = _run_together(
        {f"process{i}": {**joined, "JAX_PROCESS_ID": str(i)} for i in (0, 1)}, tmp_path
    )
    t_distributed = time.perf_counter() - t0
    out |= _run_together(
        {f"devices{n}": {**base, "JAX_NUM_CPU_DEVICES": str(n)} for n in (2, 1)}, tmp_path
    )
    print(f"two processes: {t_distributed:.1f} s; all four runs: {time.perf_counter() - t0:.1f} s")

    for i in (0, 1):
        info = out[f"process{i}"][0]
        assert info["processes"] == 2 and info["index"] == i, info
        assert info["devices"] == 2 and info["local_devices"] == 1, info
        assert info["collectives"] == "gloo", info
    for n in (2, 1):
        info = out[f"devices{n}"][0]
        assert info["processes"] == 1 and info["devices"] == n, info

    reference = out["devices1"]
    for agent in AGENTS:
        assert reference[0][agent]["mesh"] == 1
        assert reference[0][agent]["moved"] > 0  # training did change the parameters
        for name in ("process0", "process1", "devices2"):
            info, params = out[name]
            assert info[agent]["mesh"] == 2, (name, agent, info)  # the population was split
            assert info[agent]["fitness"] == reference[0][agent]["fitness"], (name, agent)
            got, want = params[agent], reference[1][agent]
            assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), (
                f"{agent}: {name} differs from one device in {np.sum(got != want)} of {got.size} "
                f"meta-parameters (max |diff| {np.max(np.abs(got - want))})"
            )
        # only the lead process writes checkpoints
        assert (tmp_path / "ckpt_process0" / agent / "checkpoint.pkl").exists()
        assert not (tmp_path / "ckpt_process1").exists()


def test_a_distributed_config_that_has_not_joined_is_refused():
    # joining must precede JAX's start, which importing meta already is: train cannot join itself
    from symla_lite import meta

    with pytest.raises(RuntimeError, match="SYMLA_DISTRIBUTED=1"):
        meta.train(meta.TrainConfig(distributed=True, progress=False))
