"""Meta-training with OpenAI-ES (evosax Open_ES), SPEC section 2 and Appendix C.2.

One generation (ask, all lifetimes of all members, tell) is one jitted function; chunks of
generations run under `lax.scan`, with a progress bar and a checkpoint after each chunk.

The population axis is sharded over all devices of all processes (`symla_lite.sharding`): each
device evaluates its slice of the members, the ES update is replicated. `train_seeds` runs several
seeds in one program, each bitwise as `train` runs it alone.
"""

import dataclasses
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

from symla_lite import agents, compilation, envs, io, rollout
from symla_lite.batch.contract import PLAIN_PROGRESS
from symla_lite.presets import preset as preset_table
from symla_lite.sharding import AXIS, population_mesh, replicated, require_joined

HYPER = ("population", "num_evals", "lifetime", "generations", "lr", "std", "hidden")
CHECKPOINT = "checkpoint.pkl"
# Test-only, never set otherwise: "<k>:<path>" makes train_seeds, after the checkpoint of generation
# k or later, write <path> and wait until it is removed: tests/test_batch.py interrupts a batch there,
# mid-way whatever the machine's speed.
TEST_PAUSE = "SYMLA_LITE_TEST_PAUSE"


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
    # None: constant ES noise; d in (0, 1]: the noise decays by d per generation (make_strategy)
    std_decay: float | None = None
    member_batch: int = 8  # members evaluated together (cache-sized chunks beat one big vmap)
    checkpoint_dir: str | None = None
    checkpoint_every: int = 25
    resume: bool | str = False  # True: continue from the checkpoint (required); "auto": if any
    progress: bool = True
    shard: bool = True  # split the population over all devices (same result as unsharded)
    distributed: bool = False  # require a joined multi-process run (see the module docstring)

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
        if self.std_decay is not None and not 0 < self.std_decay <= 1:
            raise ValueError(f"std_decay must be None or in (0, 1], got {self.std_decay}")
        return hp

    def identity(self) -> dict:
        """Everything that determines the result (what a checkpoint must match).

        The number of generations is left out, so a finished run can be resumed for more.
        """
        skip = {"checkpoint_dir", "checkpoint_every", "resume", "progress", "generations"}
        skip |= {"shard", "distributed"}  # how it runs, not what it computes
        if self.std_decay is None:  # left out when unset, so older checkpoints still match
            skip.add("std_decay")
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
    kwargs = {"hidden": hp["hidden"], **config.agent_kwargs}
    if isinstance(env, envs.Mixture) and config.agent == "metarnn":
        # one head for every family: MetaRNN at equal inputs (agents.metarnn)
        kwargs.setdefault("max_actions", env.num_actions)
    agent = agents.make(config.agent, **kwargs)
    return agent.for_task(rollout.obs_size(env, env.default_params), env.num_actions), env


def train_auto(
    agent: str, env: str, *, preset: str, seeds, checkpoint_dir=None, **fields
) -> list["TrainResult"]:
    """`train_seeds(TrainConfig(...), seeds)` (one program for all seeds) that resumes from
    `checkpoint_dir` when it holds a checkpoint; one TrainResult per seed.

    fields: any other TrainConfig field (env_kwargs, agent_kwargs, family, progress, lifetime, ...).
    """
    resume = "auto" if checkpoint_dir else False
    config = TrainConfig(
        agent=agent, env=env, preset=preset, checkpoint_dir=checkpoint_dir, resume=resume, **fields
    )
    return train_seeds(config, seeds)


def make_strategy(template, hp: dict, std_decay: float | None = None) -> Open_ES:
    """OpenAI-ES with antithetic sampling, Adam and centered ranks; the noise std constant, or
    decaying: evosax's tell sets it to std * std_decay**counter (the counter before it counts
    that generation), so generation g >= 1 samples with std * std_decay**(g - 1), and a resumed
    run continues the same schedule."""
    if std_decay is None:
        std_schedule = optax.constant_schedule(hp["std"])
    else:
        std_schedule = optax.exponential_decay(hp["std"], transition_steps=1, decay_rate=std_decay)
    return Open_ES(
        population_size=hp["population"],
        solution=template,
        use_antithetic_sampling=True,
        optimizer=optax.adam(hp["lr"], b1=0.9, b2=0.999),
        std_schedule=std_schedule,
        fitness_shaping_fn=centered_rank_fitness_shaping_fn,
    )


def make_chunk_fn(
    strategy,
    agent,
    env,
    hp: dict,
    base_keys: jax.Array,
    member_batch: int,
    mesh: Mesh | None = None,
):
    """A jitted function running generations `gens` (int32[n]) of S seeds' ES states (a tuple of S
    states, one per key of `base_keys`, key[S]) under lax.scan; returns the states and the mean and
    best fitness, float32[n, S].

    Every member of a generation of one seed meets the same lifetimes (common random numbers), and
    generation g of seed s draws its randomness from fold_in(base_keys[s], g), so chunking does not
    change the result. Ask and tell run per seed; the seeds' members are evaluated together, vmapped
    over seeds (one seed alone runs exactly a single run's program), in batches of `member_batch`
    members per seed. With `mesh`, each seed's members are split over its devices along the axis
    "population".
    """
    es_params = strategy.default_params

    def member_fitness(params, key):
        return rollout.fitness(agent, params, env, key, hp["num_evals"], hp["lifetime"])

    def population_fitness(population, key):  # population: leading axis [members]
        return jax.lax.map(lambda p: member_fitness(p, key), population, batch_size=member_batch)

    def seeds_fitness(populations, keys):  # [S, members], key[S]
        if keys.shape[0] == 1:  # one seed: exactly the program of a single run
            return population_fitness(jax.tree.map(lambda x: x[0], populations), keys[0])[None]
        return jax.vmap(population_fitness)(populations, keys)

    if mesh is not None and mesh.size > 1:
        sharded = jax.shard_map(
            seeds_fitness,
            mesh=mesh,
            in_specs=(P(None, AXIS), P()),
            out_specs=P(None, AXIS),
            check_vma=False,  # no collectives inside: each device runs plain per-member code
        )

        def seeds_fitness(populations, keys):
            # Keep ask and tell replicated: sharded, they would sum the gradient over members in
            # another order than one device does and differ in the last bits.
            replicated = NamedSharding(mesh, P())
            populations = jax.lax.with_sharding_constraint(populations, replicated)
            return jax.lax.with_sharding_constraint(sharded(populations, keys), replicated)

    def generation(es_states, gen):
        asked, eval_keys, tell_keys = [], [], []
        for s, es_state in enumerate(es_states):
            k_ask, k_eval, k_tell = jax.random.split(jax.random.fold_in(base_keys[s], gen), 3)
            asked.append(strategy.ask(k_ask, es_state, es_params))
            eval_keys.append(k_eval)
            tell_keys.append(k_tell)
        populations = jax.tree.map(lambda *x: jnp.stack(x), *[p for p, _ in asked])
        fit = seeds_fitness(populations, jnp.stack(eval_keys))  # [S, population]
        new_states = []
        for s, (population, es_state) in enumerate(asked):
            es_state, _ = strategy.tell(tell_keys[s], population, -fit[s], es_state, es_params)
            new_states.append(es_state)
        return tuple(new_states), (fit.mean(1), fit.max(1))

    def run(es_states, gens):
        return jax.lax.scan(generation, es_states, gens)

    options = compilation.options(agent, "meta_training")
    if mesh is None:
        return jax.jit(run, compiler_options=options)
    replicated = NamedSharding(mesh, P())
    return jax.jit(run, in_shardings=replicated, out_shardings=replicated, compiler_options=options)


def _load_checkpoint(path: Path, identity: dict, num_seeds: int):
    if not path.exists():
        raise FileNotFoundError(f"resume=True but there is no checkpoint at {path}")
    with path.open("rb") as f:
        ckpt = pickle.load(f)
    if ckpt["identity"] != identity:
        diff = sorted(
            k
            for k in set(ckpt["identity"]) | set(identity)
            if ckpt["identity"].get(k) != identity.get(k)
        )
        raise ValueError(f"checkpoint {path} was made with a different config (differs in {diff})")
    states = ckpt["es_state"]
    if not isinstance(states, tuple) or len(states) != num_seeds:
        raise ValueError(f"checkpoint {path} was written by an older symla_lite: delete it")
    return ckpt


def train(config: TrainConfig) -> TrainResult:
    """Meta-train `config.agent` on `config.env`; returns the ES mean and the fitness history.

    Fitness is the mean summed reward of a lifetime; evosax minimises, so it is given -fitness.
    """
    return train_seeds(config, [config.seed])[0]


def train_seeds(config: TrainConfig, seeds) -> list[TrainResult]:
    """Meta-train one run per seed in `seeds` in one jitted program (config.seed is ignored).

    Each seed's result equals `train(replace(config, seed=s))`: the seeds share the population
    axis, not their arithmetic. One checkpoint holds all seeds.
    """
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"train_seeds needs distinct seeds, got {seeds}")
    hp = config.hyper()
    pause = os.environ.get(TEST_PAUSE, "").partition(":")  # test-only: (k, ":", path)
    if config.distributed or os.environ.get("SYMLA_DISTRIBUTED", "") not in ("", "0"):
        require_joined()
    agent, env = build(config)
    mesh = population_mesh(hp["population"]) if config.shard else None
    lead = jax.process_index() == 0  # the one host that reports and writes checkpoints
    keys = [jax.random.split(jax.random.key(s), 3) for s in seeds]  # k_init, k_es, k_run each
    inits = [agent.init(k[0]) for k in keys]
    strategy = make_strategy(inits[0], hp, config.std_decay)
    states = tuple(
        strategy.init(k[1], init, strategy.default_params)
        for k, init in zip(keys, inits, strict=True)
    )
    records, start, elapsed0 = [[] for _ in seeds], 0, 0.0
    identity = {**config.identity(), "seed": seeds}

    ckpt_path = Path(config.checkpoint_dir) / CHECKPOINT if config.checkpoint_dir else None
    if config.resume and ckpt_path is None:
        raise ValueError("resume needs checkpoint_dir")
    if config.resume is True or (config.resume == "auto" and ckpt_path.exists()):
        ckpt = _load_checkpoint(ckpt_path, identity, len(seeds))
        states = jax.tree.map(jnp.asarray, ckpt["es_state"])
        start, elapsed0 = ckpt["generation"], float(ckpt.get("elapsed_s", 0.0))
        records = ckpt["history"]

    if mesh is not None:  # the same values on every host: replicate them over the mesh
        states = replicated(states, mesh)
    base_keys = jnp.stack([k[2] for k in keys])
    run = make_chunk_fn(strategy, agent, env, hp, base_keys, config.member_batch, mesh)
    chunk = max(1, int(config.checkpoint_every))
    t0 = time.perf_counter()
    what = f"{config.agent} on {env.name}" + (f", {len(seeds)} seeds" if len(seeds) > 1 else "")
    bar = (tqdm.tqdm if os.environ.get(PLAIN_PROGRESS) else tqdm.auto.tqdm)(
        total=hp["generations"], initial=start, disable=not (config.progress and lead), desc=what
    )
    gen = start
    while gen < hp["generations"]:
        n = min(chunk, hp["generations"] - gen)
        states, (mean_fit, best_fit) = run(states, np.arange(gen, gen + n, dtype=np.int32))
        mean_fit, best_fit = np.asarray(mean_fit), np.asarray(best_fit)  # [n, S]
        if not np.all(np.isfinite(mean_fit)):
            bad = gen + int(np.argmin(np.isfinite(mean_fit).all(1)))
            raise FloatingPointError(
                f"non-finite fitness at generation {bad} of {what}; "
                "lower lr or std, or check the environment's rewards"
            )
        for s, rec in enumerate(records):
            rec += [
                dict(generation=gen + i, mean_fitness=float(m), best_fitness=float(b))
                for i, (m, b) in enumerate(zip(mean_fit[:, s], best_fit[:, s], strict=True))
            ]
        gen += n
        bar.update(n)
        bar.set_postfix(mean_fitness=" ".join(f"{m:.3f}" for m in mean_fit[-1]))
        if ckpt_path is not None and lead:
            state = dict(
                identity=identity,
                generation=gen,
                es_state=io.to_numpy(states),
                history=records,
                elapsed_s=elapsed0 + time.perf_counter() - t0,
            )
            io.write_bytes(ckpt_path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        if pause[2] and lead and gen >= int(pause[0]):  # TEST_PAUSE: wait until path is removed
            io.write_bytes(Path(pause[2]), f"{gen}\n".encode())
            while Path(pause[2]).exists():
                time.sleep(0.05)
            pause = ("", "", "")
    bar.close()
    elapsed = elapsed0 + time.perf_counter() - t0
    return [
        TrainResult(
            # this host's copy on the default device, whatever the mesh, to mix with any array
            params=jax.tree.map(
                lambda x: jnp.asarray(np.asarray(x.addressable_data(0))), strategy.get_mean(st)
            ),
            history=pd.DataFrame(rec, columns=["generation", "mean_fitness", "best_fitness"]),
            elapsed_s=elapsed,
            config=dataclasses.replace(config, seed=seed),
            agent=agent,
            env=env,
        )
        for seed, st, rec in zip(seeds, states, records, strict=True)
    ]
