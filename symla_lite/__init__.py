"""symla_lite: SymLA and MetaRNN meta-learners, their environments and ES meta-training.

Importing the package imports neither JAX nor a submodule: `symla_lite.meta`, `from symla_lite
import agents` and the like import the submodule when first used, so that the tooling
(`symla_lite.batch`, `symla_lite.notebook`, `symla_lite.io`) runs without JAX. The one exception:
with SYMLA_DISTRIBUTED=1 importing the package joins the multi-process run (`_join_distributed`).
"""

import importlib
import os
import sys

# Set by this package when it chose the CPU device count, so that a child process (a notebook's
# kernel) can tell the inherited JAX_NUM_CPU_DEVICES from one the user set.
_AUTO_COUNT = "SYMLA_LITE_AUTO_CPU_DEVICES"


def _inherited_count_dropped() -> bool:
    """Forget a JAX_NUM_CPU_DEVICES that this package set in a parent process; True if there was."""
    auto = os.environ.pop(_AUTO_COUNT, None)
    if auto is None or os.environ.get("JAX_NUM_CPU_DEVICES") != auto:
        return False
    del os.environ["JAX_NUM_CPU_DEVICES"]
    return True


def _one_cpu_device_per_core() -> None:
    """Give JAX one CPU device per core, unless the user chose a count.

    XLA:CPU runs a batched product of small matrices (every member's LSTM gates) on one thread, so
    one device used one core; `meta.train` shards the population over all devices, and with one
    device per core it uses them all (benchmarks/throughput.py). Computations that are not sharded
    run on the first device as before. Set JAX_NUM_CPU_DEVICES (or XLA_FLAGS'
    --xla_force_host_platform_device_count) to choose the count yourself.

    Without importing JAX: if JAX is not imported yet, this sets JAX_NUM_CPU_DEVICES, which JAX
    reads as the default of its `jax_num_cpu_devices` option when it is imported (child processes
    inherit it; a child that imports symla_lite recomputes it); if JAX is already imported, this
    updates that option, unless JAX is already running (then it keeps the devices JAX has).
    """
    inherited = _inherited_count_dropped()
    if "JAX_NUM_CPU_DEVICES" in os.environ:
        return
    if "xla_force_host_platform_device_count" in os.environ.get("XLA_FLAGS", ""):
        count = -1 if inherited else None  # -1, JAX's default: the XLA flag's count
    else:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        count = max(1, cores or 1)
    if count is None:
        return
    jax = sys.modules.get("jax")
    if jax is not None:
        try:
            jax.config.update("jax_num_cpu_devices", count)
        except RuntimeError:
            pass  # backends already initialised: keep the devices JAX has
    elif count > 0:
        os.environ["JAX_NUM_CPU_DEVICES"] = os.environ[_AUTO_COUNT] = str(count)


def _join_distributed() -> None:
    """Join the multi-process run through `jax.distributed` if SYMLA_DISTRIBUTED is set (not "0").

    Here, when the package is imported, because joining must come before JAX starts its backend,
    and importing `agents`, `envs` or evosax (so `meta`) starts it. JAX reads JAX_COORDINATOR_ADDRESS
    (host:port of process 0) itself but not the process count and id: they come from
    JAX_NUM_PROCESSES and JAX_PROCESS_ID when set, else from JAX's cluster auto-detection (Slurm,
    Open MPI, ...). On CPU the processes exchange data over gloo, JAX's default collectives.
    """
    if os.environ.get("SYMLA_DISTRIBUTED", "") in ("", "0"):
        return
    import jax

    if jax.distributed.is_initialized():
        return
    count, pid = os.environ.get("JAX_NUM_PROCESSES"), os.environ.get("JAX_PROCESS_ID")
    jax.distributed.initialize(
        num_processes=int(count) if count else None, process_id=int(pid) if pid else None
    )


_one_cpu_device_per_core()
_join_distributed()

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
_FROM_PARAMS_IO = ("load_params", "save_params")


def __getattr__(name: str):
    """Import a submodule (`symla_lite.meta`) or `load_params`/`save_params` on first use."""
    if name in _FROM_PARAMS_IO:
        return getattr(importlib.import_module(f"{__name__}.params_io"), name)
    if name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{name}":
            raise  # the submodule exists but needs something missing
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
