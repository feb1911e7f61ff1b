"""Meta-training with OpenAI-ES (evosax Open_ES), SPEC section 2 and Appendix C.2.

One generation (ask, all lifetimes of all members, tell) is one jitted function; chunks of
generations run under `lax.scan`, with a progress bar and a checkpoint after each chunk.

The population axis is sharded over all devices (`jax.shard_map` on a one-axis mesh): each device
evaluates its slice of the members, the ES update is replicated. Every member's fitness is computed
by the same operations whatever the sharding, so the result does not depend on the device count.
Several hosts join through `jax.distributed` before JAX starts: importing symla_lite joins when
SYMLA_DISTRIBUTED=1, reading JAX_COORDINATOR_ADDRESS (host:port of process 0), JAX_NUM_PROCESSES and
JAX_PROCESS_ID, or JAX's cluster auto-detection (Slurm, Open MPI, ...) for those left unset; CPU
hosts exchange data over gloo, JAX's default. `train` checks that the process joined when
SYMLA_DISTRIBUTED or TrainConfig.distributed asks for it. The population must split evenly over all
devices of all hosts; every process returns the same meta-parameters (tests/test_distributed.py:
bitwise those of one process), and only process 0 reports and writes checkpoints.
"""

import dataclasses
import math
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pandas as pd
import tqdm
import tqdm.auto
from evosax.algorithms import Open_ES
from evosax.core.fitness_shaping import centered_rank_fitness_shaping_fn
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from symla_lite import agents, envs, io, rollout
from symla_lite.batch.contract import PLAIN_PROGRESS
from symla_lite.presets import preset as preset_table

HYPER = ("population", "num_evals", "lifetime", "generations", "lr", "std", "hidden")
CHECKPOINT = "checkpoint.pkl"
AXIS = "population"


@dataclass(frozen=True)
class TrainConfig:
    """What to meta-train and how. Hyper-parameters left None come from the preset."""

    agent: str = "symla"
    agent_kwargs: dict = field(default_factory=dict)
    env: str = "bandit"
    env_kwargs: dict = field(default_factory=dict)
    preset: str = "smoke"
    family: str | None = None  # "bandit" or "rl"; default: "bandit" for the bandit env
    seed: int = 0
    population: int | None = None
    num_evals: int | None = None
    lifetime: int | None = None
    generations: int | None = None
    lr: float | None = None
    std: float | None = None
    hidden: int | None = None
    member_batch: int = 8  # members evaluated together (cache-sized chunks beat one big vmap)
    checkpoint_dir: str | None = None
    checkpoint_every: int = 25
    resume: bool | str = False  # True: continue from the checkpoint (required); "auto": if any
    progress: bool = True
    shard: bool = True  # split the population over all devices (same result as unsharded)
    distributed: bool = False  # join a multi-host run via jax.distributed (or SYMLA_DISTRIBUTED=1)

    def hyper(self) -> dict:
        """The resolved hyper-parameters: the preset overridden by fields that are set."""
        family = self.family or ("bandit" if self.env == "bandit" else "rl")
        hp = preset_table(self.preset, family)
        hp.update({k: getattr(self, k) for k in HYPER if getattr(self, k) is not None})
        if hp["population"] % 2 or hp["population"] < 2:
            raise ValueError(f"population must be even and >= 2, got {hp['population']}")
        for k in ("num_evals", "lifetime", "generations"):
            if hp[k] < 1:
                raise ValueError(f"{k} must be >= 1, got {hp[k]}")
        return hp

    def identity(self) -> dict:
        """Everything that determines the result (what a checkpoint must match).

        The number of generations is left out, so a finished run can be resumed for more.
        """
        skip = {"checkpoint_dir", "checkpoint_every", "resume", "progress", "generations"}
        skip |= {"shard", "distributed"}  # how it runs, not what it computes
        d = {k: v for k, v in dataclasses.asdict(self).items() if k not in skip}
        d["hyper"] = {k: v for k, v in self.hyper().items() if k != "generations"}
        return d


@dataclass
class TrainResult:
    params: object  # meta-learned parameters (the ES mean), a pytree of the agent's params
    # generation, mean_fitness, best_fitness: deterministic, so that CSVs of it repeat exactly
    history: pd.DataFrame
    elapsed_s: float  # wall time of the meta-training, across resumes
    config: TrainConfig
    agent: object
    env: object


def build(config: TrainConfig):
    """The agent and environment a config describes."""
    hp = config.hyper()
    env = envs.make(config.env, **config.env_kwargs)
    agent = agents.make(config.agent, **{"hidden": hp["hidden"], **config.agent_kwargs})
    return agent.for_task(rollout.obs_size(env, env.default_params), env.num_actions), env


def train_auto(agent: str, env: str, *, preset: str, seed: int, checkpoint_dir=None, **fields):
    """`train(TrainConfig(...))` that resumes from `checkpoint_dir` when it holds a checkpoint.

    fields: any other TrainConfig field (env_kwargs, agent_kwargs, family, progress, lifetime, ...).
    """
    resume = "auto" if checkpoint_dir else False
    return train(
        TrainConfig(
            agent=agent,
            env=env,
            preset=preset,
            seed=seed,
            checkpoint_dir=checkpoint_dir,
            resume=resume,
            **fields,
        )
    )


def make_strategy(template, hp: dict) -> Open_ES:
    return Open_ES(
        population_size=hp["population"],
        solution=template,
        use_antithetic_sampling=True,
        optimizer=optax.adam(hp["lr"], b1=0.9, b2=0.999),
        std_schedule=optax.constant_schedule(hp["std"]),
        fitness_shaping_fn=centered_rank_fitness_shaping_fn,
    )


def _init_distributed() -> None:
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


def _replicated(tree, mesh: Mesh):
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


def make_chunk_fn(
    strategy, agent, env, hp: dict, base_key: jax.Array, member_batch: int, mesh: Mesh | None = None
):
    """A jitted function running generations `gens` (int32[n]) from an ES state under lax.scan.

    Every member of a generation meets the same lifetimes (common random numbers), and generation g
    draws its randomness from fold_in(base_key, g), so chunking does not change the result.
    With `mesh`, the members are split over its devices along the axis "population".
    """
    es_params = strategy.default_params

    def member_fitness(params, key):
        return rollout.fitness(agent, params, env, key, hp["num_evals"], hp["lifetime"])

    def population_fitness(population, key):  # population: leading axis [members]
        return jax.lax.map(lambda p: member_fitness(p, key), population, batch_size=member_batch)

    if mesh is not None and mesh.size > 1:
        sharded = jax.shard_map(
            population_fitness,
            mesh=mesh,
            in_specs=(P(AXIS), P()),
            out_specs=P(AXIS),
            check_vma=False,  # no collectives inside: each device runs plain per-member code
        )

        def population_fitness(population, key):
            # Keep ask and tell replicated: sharded, they would sum the gradient over members in
            # another order than one device does and differ in the last bits.
            replicated = NamedSharding(mesh, P())
            population = jax.lax.with_sharding_constraint(population, replicated)
            return jax.lax.with_sharding_constraint(sharded(population, key), replicated)

    def generation(es_state, gen):
        k_ask, k_eval, k_tell = jax.random.split(jax.random.fold_in(base_key, gen), 3)
        population, es_state = strategy.ask(k_ask, es_state, es_params)
        fit = population_fitness(population, k_eval)
        es_state, _ = strategy.tell(k_tell, population, -fit, es_state, es_params)
        return es_state, (fit.mean(), fit.max())

    def run(es_state, gens):
        return jax.lax.scan(generation, es_state, gens)

    if mesh is None:
        return jax.jit(run)
    replicated = NamedSharding(mesh, P())
    return jax.jit(run, in_shardings=replicated, out_shardings=replicated)


def _load_checkpoint(path: Path, config: TrainConfig):
    if not path.exists():
        raise FileNotFoundError(f"resume=True but there is no checkpoint at {path}")
    with path.open("rb") as f:
        ckpt = pickle.load(f)
    if ckpt["identity"] != config.identity():
        diff = sorted(
            k
            for k in set(ckpt["identity"]) | set(config.identity())
            if ckpt["identity"].get(k) != config.identity().get(k)
        )
        raise ValueError(f"checkpoint {path} was made with a different config (differs in {diff})")
    return ckpt


def train(config: TrainConfig) -> TrainResult:
    """Meta-train `config.agent` on `config.env`; returns the ES mean and the fitness history.

    Fitness is the mean summed reward of a lifetime; evosax minimises, so it is given -fitness.
    """
    hp = config.hyper()
    if config.distributed or os.environ.get("SYMLA_DISTRIBUTED", "") not in ("", "0"):
        _init_distributed()
    agent, env = build(config)
    mesh = population_mesh(hp["population"]) if config.shard else None
    lead = jax.process_index() == 0  # the one host that reports and writes checkpoints
    key = jax.random.key(config.seed)
    k_init, k_es, k_run = jax.random.split(key, 3)
    template = agent.init(k_init)
    strategy = make_strategy(template, hp)
    es_state = strategy.init(k_es, template, strategy.default_params)
    records, start, elapsed0 = [], 0, 0.0

    ckpt_path = Path(config.checkpoint_dir) / CHECKPOINT if config.checkpoint_dir else None
    if config.resume and ckpt_path is None:
        raise ValueError("resume needs checkpoint_dir")
    if config.resume is True or (config.resume == "auto" and ckpt_path.exists()):
        ckpt = _load_checkpoint(ckpt_path, config)
        es_state = jax.tree.map(jnp.asarray, ckpt["es_state"])
        records, start = ckpt["history"], ckpt["generation"]
        elapsed0 = float(ckpt.get("elapsed_s", 0.0))

    if mesh is not None:  # the same values on every host: replicate them over the mesh
        es_state = _replicated(es_state, mesh)
    run = make_chunk_fn(strategy, agent, env, hp, k_run, config.member_batch, mesh)
    chunk = max(1, int(config.checkpoint_every))
    t0 = time.perf_counter()
    bar = (tqdm.tqdm if os.environ.get(PLAIN_PROGRESS) else tqdm.auto.tqdm)(
        total=hp["generations"],
        initial=start,
        disable=not (config.progress and lead),
        desc=f"{config.agent} on {env.name}",
    )
    gen = start
    while gen < hp["generations"]:
        n = min(chunk, hp["generations"] - gen)
        gens = np.arange(gen, gen + n, dtype=np.int32)
        es_state, (mean_fit, best_fit) = run(es_state, gens)
        mean_fit, best_fit = np.asarray(mean_fit), np.asarray(best_fit)
        if not np.all(np.isfinite(mean_fit)):
            bad = gen + int(np.argmin(np.isfinite(mean_fit)))
            raise FloatingPointError(
                f"non-finite fitness at generation {bad} of {config.agent} on {env.name}; "
                "lower lr or std, or check the environment's rewards"
            )
        elapsed = elapsed0 + time.perf_counter() - t0
        records += [
            dict(generation=gen + i, mean_fitness=float(m), best_fitness=float(b))
            for i, (m, b) in enumerate(zip(mean_fit, best_fit, strict=True))
        ]
        gen += n
        bar.update(n)
        bar.set_postfix(mean_fitness=f"{mean_fit[-1]:.3f}")
        if ckpt_path is not None and lead:
            state = dict(
                identity=config.identity(),
                generation=gen,
                es_state=io.to_numpy(es_state),
                history=records,
                elapsed_s=elapsed,
            )
            io.write_bytes(ckpt_path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    bar.close()
    return TrainResult(
        # this host's copy on the default device, whatever the mesh, to mix with any other array
        params=jax.tree.map(
            lambda x: jnp.asarray(np.asarray(x.addressable_data(0))), strategy.get_mean(es_state)
        ),
        history=pd.DataFrame(records, columns=["generation", "mean_fitness", "best_fitness"]),
        elapsed_s=elapsed0 + time.perf_counter() - t0,
        config=config,
        agent=agent,
        env=env,
    )
