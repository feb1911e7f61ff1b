"""How meta-training spreads the population over devices and processes: the mesh, replication,
and the check that a multi-process run was joined.

The population axis is sharded over all devices (`jax.shard_map` on a one-axis mesh). Each member's
fitness is computed by the same per-member program whatever the sharding; XLA's products may still
sum in another order with one device than with several (SymLA's float32 results then differ in the
last bits, docs/performance.md), and the tests check the configurations where they agree bitwise
(tests/test_sharding.py, tests/test_distributed.py). Several hosts join through `jax.distributed`
before JAX starts: importing symla_lite joins when SYMLA_DISTRIBUTED=1, reading
JAX_COORDINATOR_ADDRESS (host:port of process 0), JAX_NUM_PROCESSES and JAX_PROCESS_ID, or JAX's
cluster auto-detection (Slurm, Open MPI, ...) for those left unset; CPU hosts exchange data over
gloo, JAX's default. The population must split evenly over all devices of all hosts; every process
returns the same meta-parameters, and only process 0 reports and writes checkpoints.
"""

import math

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

AXIS = "population"


def require_joined() -> None:
    """Check that this process has joined the multi-process run.

    Joining must come before JAX starts its backend, which importing this module already does
    (agents, envs and evosax create arrays when imported); so importing symla_lite joins it when
    SYMLA_DISTRIBUTED is set (`symla_lite._join_distributed`), or the user calls
    jax.distributed.initialize() before importing symla_lite's modules.
    """
    if not jax.distributed.is_initialized():
        raise RuntimeError(
            "this process has not joined a multi-process run, and JAX is already running: set "
            "SYMLA_DISTRIBUTED=1 (with JAX_COORDINATOR_ADDRESS, JAX_NUM_PROCESSES, JAX_PROCESS_ID) "
            "before symla_lite is imported, or call jax.distributed.initialize() before that"
        )


def replicated(tree, mesh: Mesh):
    """`tree`, the same on every process, replicated over the mesh's devices.

    Across processes this builds the arrays from each process's copy: `jax.device_put` would first
    check that the copies are equal, with np.equal, which fails on the ES state's NaNs (evosax
    starts best_solution at NaN). They are equal by construction (same seed, same code).
    """
    sharding = NamedSharding(mesh, P())
    if jax.process_count() == 1:
        return jax.device_put(tree, sharding)
    return jax.tree.map(
        lambda x: jax.make_array_from_callback(np.shape(x), sharding, lambda i: np.asarray(x)[i]),
        tree,
    )


def population_mesh(population: int) -> Mesh:
    """A one-axis mesh over the devices that share the population axis.

    All devices when `population` divides evenly; on one host otherwise the largest count that
    does (several hosts must divide evenly: each must hold whole members).
    """
    devices = jax.devices()
    n = math.gcd(population, len(devices))
    if n != len(devices) and jax.process_count() > 1:
        raise ValueError(
            f"population {population} does not split evenly over {len(devices)} devices on "
            f"{jax.process_count()} hosts; choose a multiple of {len(devices)}"
        )
    return Mesh(np.asarray(devices[:n]), (AXIS,))
