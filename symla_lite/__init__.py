"""symla_lite: SymLA and MetaRNN meta-learners, their environments and ES meta-training."""

import os

import jax


def _one_cpu_device_per_core() -> None:
    """Give JAX one CPU device per core, unless the user chose a count.

    XLA:CPU runs a batched product of small matrices (every member's LSTM gates) on one thread, so
    one device used one core; `meta.train` shards the population over all devices, and with one
    device per core it uses them all (benchmarks/throughput.py). Computations that are not sharded
    run on the first device as before. Set JAX_NUM_CPU_DEVICES (or XLA_FLAGS'
    --xla_force_host_platform_device_count) to choose the count yourself; this is skipped when JAX
    is already running.
    """
    if "JAX_NUM_CPU_DEVICES" in os.environ:
        return
    if "xla_force_host_platform_device_count" in os.environ.get("XLA_FLAGS", ""):
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        jax.config.update("jax_num_cpu_devices", max(1, cores or 1))
    except RuntimeError:
        pass  # backends already initialised: keep the devices JAX has


_one_cpu_device_per_core()

from symla_lite import agents, envs, io, meta, params_io, presets, rollout, symmetry  # noqa: E402
from symla_lite.params_io import load_params, save_params  # noqa: E402

__version__ = "0.1.0"
__all__ = [
    "agents",
    "envs",
    "io",
    "load_params",
    "meta",
    "params_io",
    "presets",
    "rollout",
    "save_params",
    "symmetry",
]
