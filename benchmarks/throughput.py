"""Meta-training throughput of SymLA and MetaRNN against the machine's dense float32 matmul rate.

For each agent at the bandit shapes (paper: hidden 64, population 512, 100 lifetimes of 100 steps;
lite) and at the RL shapes of the grid world (4 inputs, 4 actions), the projected grid world (16
inputs, 4 actions) and CartPole (4 inputs, 2 actions), each at paper (hidden 16, population 512, 10
lifetimes of 500 steps) and lite sizes, lifetimes concatenating episodes as in training, one ES
generation (ask, all lifetimes, tell) is compiled and timed in its own subprocess (so compile time and peak memory belong to that configuration alone), with the
population sharded over all JAX devices exactly as `meta.train` does (importing symla_lite gives JAX
one CPU device per core; `--devices 1` measures one device, i.e. one core for the small batched
products, as before that change):

- compile_s: lowering + XLA compilation of the generation;
- s_per_gen: best (and median) wall time of one generation after compilation;
- steps_per_s: agent steps (population x lifetimes x lifetime length) per second;
- gflop_per_gen: matrix-product FLOPs of one generation counted from the shapes (`step_flops`):
  every LSTM cell's fused gate product, the message / read-out products; element-wise work,
  random numbers and the environment are not counted, so the ratio is a lower bound;
- gflops: achieved rate; matmul_gflops: the best dense float32 2048^2 product rate measured in
  this run (before and after every configuration's timing, and at the end in a process with one
  JAX device, whose product uses every core); efficiency: their ratio;
- mm_here: the matmul rate measured next to that row (how loaded the shared machine was);
- peak_mb: the subprocess's peak resident memory; xla_temp_mb: XLA's buffer assignment for it.

The summary lines at the end: `rl_efficiency=<ratio>` for SymLA on the projected grid world at
paper sizes, `lite_efficiency=<ratio>` for SymLA at the lite bandit shapes, `seeds_speedup=<ratio>`
(3 seeds one after another / 3 seeds in one program, per generation, lite bandit shapes; also
`seeds_speedup_grid-lite` and `seeds_speedup_projgrid-lite` at those shapes), and last
`symla_efficiency=<ratio>` for SymLA at the paper bandit shapes (each printed when measured). The
first line says which JAX platform and devices ran, the LLVM optimisation level SymLA's CPU
programs compiled at and the vector width of every agent's (`symla_lite.compilation`; `--opt-level
default` and `--vector-width default` are XLA's own, as before them).

    python benchmarks/throughput.py [--shapes paper lite grid-lite ...] [--agents symla metarnn]
    python benchmarks/throughput.py --devices 1  # one JAX CPU device
    python benchmarks/throughput.py --opt-level default  # SymLA at XLA's default level
    python benchmarks/throughput.py --vector-width default  # XLA's 256-bit element-wise loops
    python benchmarks/throughput.py --profile    # where a SymLA generation's time goes

`benchmarks/ceiling.py` bounds these ratios: SymLA's cells alone and its agent's steps alone at
the same shapes.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

GRID = dict(size=4, max_steps=16)  # symla_lite.presets.GRID, the experiments' grid world
SHAPES = {
    "paper": dict(preset="paper"),
    "lite": dict(preset="lite"),
    **{
        f"{name}-{preset}": dict(preset=preset, family="rl", env=env, env_kwargs=kw)
        for name, env, kw in (
            ("grid", "gridworld", GRID),
            ("projgrid", "gridworld", dict(GRID, project_obs=16)),
            ("cartpole", "CartPole-v1", {}),
        )
        for preset in ("lite", "paper")
    },
}
SEEDS_SHAPES = ("lite", "grid-lite", "projgrid-lite")
DEFAULT_SHAPES = ("paper", "lite", "grid-lite", "projgrid-lite", "cartpole-lite", "projgrid-paper")


def step_flops(agent, num_obs: int, num_actions: int) -> int:
    """Matrix-product FLOPs (2 per multiply-add) of one agent step, counted from the shapes."""
    from symla_lite.agents import MetaRNN, SymLA

    if isinstance(agent, MetaRNN):
        n = agent.hidden
        return 2 * (num_obs + num_actions + 1 + n) * 4 * n + 2 * n * num_actions
    if isinstance(agent, SymLA):
        n, sizes = agent.hidden, (num_obs, *agent.widths, num_actions)
        per_tick = 0
        for a, b in zip(sizes[:-1], sizes[1:]):
            per_tick += a * b * 2 * (agent.cell_input_size + n) * 4 * n  # every cell's gates
            per_tick += 2 * n * (b * agent.fwd_size + a * agent.bwd_size)  # messages
        return agent.micro_ticks * per_tick
    raise TypeError(f"no FLOP count for {type(agent).__name__}")


def matmul_gflops(n: int = 2048, repeats: int = 10) -> float:
    """Best observed dense float32 n x n matrix-product rate (GFLOP/s)."""
    import jax
    import jax.numpy as jnp

    a = jax.random.normal(jax.random.key(0), (n, n), jnp.float32)
    b = jax.random.normal(jax.random.key(1), (n, n), jnp.float32)
    f = jax.jit(lambda a, b: a @ b)
    f(a, b).block_until_ready()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        f(a, b).block_until_ready()
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


def machine_matmul_gflops() -> float:
    """The dense matmul rate of a process with one JAX CPU device (its product uses every core;
    with one device per core a single product runs slower, which would flatter the ratio)."""
    env = {**os.environ, "JAX_NUM_CPU_DEVICES": "1"}
    cmd = [sys.executable, __file__, "--_matmul"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode:
        raise RuntimeError(f"matmul reference failed:\n{proc.stderr[-2000:]}")
    return float(proc.stdout.strip().splitlines()[-1])


def agent_steps(agent, key, num_obs: int, num_actions: int, length: int):
    """f(params, i): `length` steps of `agent` alone (no sampling, no environment) on a fixed
    observation offset by the float i, so that no two lifetimes share their input; returns the
    sum of the first layer's h, so nothing is left out as dead code."""
    import jax
    import jax.numpy as jnp

    def lifetime(params, i):
        obs = jnp.ones(num_obs) + 1e-3 * i

        def step(s, _):
            return agent.step(params, s, obs, jnp.int32(0), jnp.float32(1))[1], None

        s0 = agent.initial_state(key, num_obs, num_actions)
        return jax.lax.scan(step, s0, None, length)[0].layers[0].h.sum()

    return lifetime


def generation(agent_name: str, shape: str, seeds: int = 1, **overrides):
    """One ES generation of `agent_name` at `shape` for `seeds` seeds in one program, set up as
    `meta.train_seeds` runs it: (run, es_state, gens, config, agent, env, mesh), `run` jitted but
    not yet compiled (`run.lower(es_state, gens).compile()`). `overrides`: TrainConfig fields that
    replace the shape's (e.g. member_batch=16, or population=4 for a quick check)."""
    import jax
    import jax.numpy as jnp

    from symla_lite import meta, sharding

    config = meta.TrainConfig(agent=agent_name, progress=False, **{**SHAPES[shape], **overrides})
    hp = config.hyper()
    agent, env = meta.build(config)
    keys = [jax.random.split(jax.random.key(s), 3) for s in range(seeds)]  # as train_seeds
    strategy = meta.make_strategy(agent.init(keys[0][0]), hp)
    es_state = tuple(strategy.init(k[1], agent.init(k[0]), strategy.default_params) for k in keys)
    mesh = sharding.population_mesh(hp["population"])  # as meta.train shards the population
    base_keys = jnp.stack([k[2] for k in keys])
    run = meta.make_chunk_fn(strategy, agent, env, hp, base_keys, config.member_batch, mesh)
    replicated = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
    es_state = jax.device_put(es_state, replicated)
    gens = jnp.arange(0, 1, dtype=jnp.int32)
    return run, es_state, gens, config, agent, env, mesh


def measure(
    agent_name: str, shape: str, repeats: int, member_batch: int | None, seeds: int = 1
) -> dict:
    """Compile and time one generation of `agent_name` at `shape` for `seeds` seeds in one program
    (as `meta.train_seeds` runs them); runs inside a subprocess."""
    import jax
    import jax.numpy as jnp

    from symla_lite import rollout

    overrides = {} if member_batch is None else dict(member_batch=member_batch)
    run, es_state, gens, config, agent, env, mesh = generation(
        agent_name, shape, seeds, **overrides
    )
    hp = config.hyper()
    peak_before = matmul_gflops()  # the machine is shared: measure its rate next to the timing
    t0 = time.perf_counter()
    compiled = run.lower(es_state, gens).compile()
    compile_s = time.perf_counter() - t0
    mem = compiled.memory_analysis()
    devices = jax.devices()
    xla_temp = getattr(mem, "temp_size_in_bytes", float("nan")) if mem is not None else float("nan")

    times = []
    for g in range(repeats + 1):  # the first call also pays for transfers: not counted
        t0 = time.perf_counter()
        es_state, out = compiled(es_state, jnp.arange(g, g + 1, dtype=jnp.int32))
        jax.block_until_ready((es_state, out))
        if g:
            times.append(time.perf_counter() - t0)
    peak_after = matmul_gflops()
    steps = seeds * hp["population"] * hp["num_evals"] * hp["lifetime"]
    flops = steps * step_flops(agent, rollout.obs_size(env, env.default_params), env.num_actions)
    return dict(
        agent=agent_name,
        shape=shape,
        seeds=seeds,
        population=hp["population"],
        num_evals=hp["num_evals"],
        lifetime=hp["lifetime"],
        hidden=hp["hidden"],
        member_batch=config.member_batch,
        devices=mesh.size,
        platform=f"{jax.default_backend()}: {len(devices)} x {devices[0].device_kind}",
        compile_s=compile_s,
        s_per_gen=min(times),
        s_per_gen_median=statistics.median(times),
        steps_per_s=steps / min(times),
        gflop_per_gen=flops / 1e9,
        gflops=flops / min(times) / 1e9,
        xla_temp_mb=xla_temp / 2**20,
        matmul_local=max(peak_before, peak_after),
        peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def profile(repeats: int) -> None:
    """Where one member batch (8 members x 100 lifetimes x 100 steps) of SymLA spends its time.

    Paper bandit shapes, on one device (one core for the batched products); each part is timed
    alone, best of `repeats`: the whole fitness, the agent's steps alone (no sampling, no
    environment), sampling + environment alone (an agent that returns zero logits), the LSTM cells
    alone, and the cells' batched gate products alone.
    """
    import jax
    import jax.numpy as jnp

    from symla_lite import agents, envs, rollout
    from symla_lite.agents.lstm import lstm_cell

    members, lifetimes, length = 8, 100, 100
    agent, env = agents.make("symla", hidden=64), envs.make("bandit")
    pop = jax.vmap(agent.init)(jax.random.split(jax.random.key(0), members))
    key = jax.random.key(1)

    class Null:  # the rollout's own work: sampling, environment, scan
        def initial_state(self, key, num_obs, num_actions):
            return jnp.zeros(num_actions)

        def step(self, params, state, obs, prev_action, prev_reward):
            logits = state + params.w_fwd[0, : state.shape[0]]  # member-dependent: no shortcut
            return logits, state

    def fitness(a):
        return jax.jit(
            lambda p: jax.vmap(lambda q: rollout.fitness(a, q, env, key, lifetimes, length))(p)
        )

    def agent_only(p):
        lifetime = agent_steps(agent, key, 1, 2, length)
        steps = jnp.arange(lifetimes, dtype=jnp.float32)
        return jax.vmap(lambda q: jax.vmap(lambda i: lifetime(q, i))(steps))(p)

    def cells(p, x, h):  # the LSTM cells alone: gate products + element-wise, 2 per step
        def tick(hc, _):
            h, c = jax.vmap(lstm_cell)(p.lstm, x, *hc)
            return (h, c), None

        return jax.lax.scan(tick, (h, h), None, length * agent.micro_ticks)[0][0]

    n_in = agent.cell_input_size + agent.hidden
    xh = jnp.ones((members, lifetimes * 2, n_in)) * 0.1
    w = jnp.ones((members, n_in, 4 * agent.hidden)) * 0.01

    def products(xh, w):
        def tick(x, _):
            g = jnp.einsum("mrk,mkg->mrg", x, w)
            return x + g[..., :n_in], None

        return jax.lax.scan(tick, xh, None, length * agent.micro_ticks)[0]

    parts = {
        "whole fitness (symla)": (fitness(agent), (pop,)),
        "agent steps only": (jax.jit(agent_only), (pop,)),
        "sampling + env + scan (null agent)": (fitness(Null()), (pop,)),
        "LSTM cells only (products + elementwise)": (
            jax.jit(cells),
            (pop, xh[..., : agent.cell_input_size], jnp.zeros((members, 2 * lifetimes, 64))),
        ),
        "gate products only": (jax.jit(products), (xh, w)),
    }
    flops = members * lifetimes * length * step_flops(agent, 1, 2)
    print(f"profile: SymLA, paper bandit shapes, one member batch ({flops / 1e9:.1f} GFLOP)")
    for name, (f, args) in parts.items():
        jax.block_until_ready(f(*args))
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            jax.block_until_ready(f(*args))
            best = min(best, time.perf_counter() - t0)
        print(f"  {name:<42} {best:8.3f} s")
    print(f"  dense 2048^2 matmul rate: {matmul_gflops():.1f} GFLOP/s")


def main(argv=None):
    from symla_lite import compilation  # no JAX at import: the children start their own

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", nargs="+", default=list(DEFAULT_SHAPES), choices=list(SHAPES))
    ap.add_argument("--agents", nargs="+", default=["symla", "metarnn"])
    ap.add_argument("--repeats", type=int, default=3, help="timed generations per configuration")
    ap.add_argument("--member-batch", type=int, default=None, help="override TrainConfig's")
    ap.add_argument(
        "--devices", type=int, default=None, help="JAX CPU devices (default: one per core)"
    )
    ap.add_argument(
        "--opt-level",
        choices=compilation.LEVELS,
        default=None,
        help="LLVM level of SymLA's CPU programs (default: symla_lite.compilation's)",
    )
    ap.add_argument(
        "--vector-width",
        choices=compilation.WIDTHS,
        default=None,
        help="vector width of the CPU programs (default: symla_lite.compilation's)",
    )
    ap.add_argument("--profile", action="store_true", help="time the parts of a SymLA generation")
    ap.add_argument(
        "--seeds", type=int, default=3, help="seeds in one program for seeds_speedup (lite)"
    )
    ap.add_argument("--_child", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--_matmul", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.profile:
        profile(args.repeats)
        return 0

    if args._matmul:
        print(matmul_gflops())
        return 0

    if args._child:
        name, shape, seeds = args._child
        print(json.dumps(measure(name, shape, args.repeats, args.member_batch, int(seeds))))
        return 0

    jobs = [(name, shape, 1) for shape in args.shapes for name in args.agents]
    for shape in SEEDS_SHAPES:  # the shapes whose seeds the lite batch meta-trains together
        if shape in args.shapes and "symla" in args.agents and args.seeds > 1:
            jobs.append(("symla", shape, args.seeds))
    rows = []
    for name, shape, seeds in jobs:
        cmd = [sys.executable, __file__, "--_child", name, shape, str(seeds)]
        cmd += ["--repeats", str(args.repeats)]
        if args.member_batch is not None:
            cmd += ["--member-batch", str(args.member_batch)]
        env = os.environ.copy()
        if args.devices is not None:
            env["JAX_NUM_CPU_DEVICES"] = str(args.devices)
        if args.opt_level is not None:
            env[compilation.ENV] = args.opt_level
        if args.vector_width is not None:
            env[compilation.WIDTH_ENV] = args.vector_width
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode:
            raise RuntimeError(f"{name} at {shape} shapes failed:\n{proc.stderr[-3000:]}")
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    peak = max([machine_matmul_gflops(), *(r["matmul_local"] for r in rows)])

    cols = ("agent", "shape", "seeds", "population", "num_evals", "lifetime", "hidden")
    cols += ("member_batch", "devices")
    level = args.opt_level or compilation.symla_level()
    width = args.vector_width or compilation.vector_width()
    print(
        f"platform {rows[0]['platform']}; {os.cpu_count()} CPUs visible; "
        f"SymLA's CPU programs at LLVM level {level}, vector width {width} "
        "(symla_lite.compilation)"
    )
    print(f"dense float32 2048^2 matmul: {peak:.1f} GFLOP/s")
    head = (
        f"{'agent':<8} {'shape':<14} {'S':>2} {'pop':>4} {'evals':>5} {'L':>4} {'N':>3} {'mb':>3} {'dev':>3} "
        f"{'compile_s':>9} {'s/gen':>8} {'med s/gen':>9} {'Msteps/s':>8} {'GFLOP/gen':>9} "
        f"{'GFLOP/s':>8} {'mm_here':>7} {'eff':>6} {'peak_MB':>8} {'xla_MB':>7}"
    )
    print(head)
    for r in rows:
        r["matmul_gflops"] = peak
        r["efficiency"] = r["gflops"] / peak
        print(
            f"{r['agent']:<8} {r['shape']:<14} "
            + " ".join(f"{r[c]:>{w}}" for c, w in zip(cols[2:], (2, 4, 5, 4, 3, 3, 3), strict=True))
            + f" {r['compile_s']:>9.2f} {r['s_per_gen']:>8.3f} {r['s_per_gen_median']:>9.3f}"
            f" {r['steps_per_s'] / 1e6:>8.3f} {r['gflop_per_gen']:>9.2f} {r['gflops']:>8.1f}"
            f" {r['matmul_local']:>7.1f} {r['efficiency']:>6.3f} {r['peak_mb']:>8.0f} {r['xla_temp_mb']:>7.1f}"
        )
    one = {(r["agent"], r["shape"]): r for r in rows if r["seeds"] == 1}
    several = [r for r in rows if r["seeds"] > 1]
    if ("symla", "projgrid-paper") in one:
        print(f"rl_efficiency={one[('symla', 'projgrid-paper')]['efficiency']:.3f}")
    if ("symla", "lite") in one:
        print(f"lite_efficiency={one[('symla', 'lite')]['efficiency']:.3f}")
    for r in several:  # seeds one after another / seeds in one program, per generation
        if ("symla", r["shape"]) in one:
            speedup = r["seeds"] * one[("symla", r["shape"])]["s_per_gen"] / r["s_per_gen"]
            name = "seeds_speedup" if r["shape"] == "lite" else f"seeds_speedup_{r['shape']}"
            print(f"{name}={speedup:.2f}")
    if ("symla", "paper") in one:
        print(f"symla_efficiency={one[('symla', 'paper')]['efficiency']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
