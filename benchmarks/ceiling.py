"""How efficient a SymLA generation could be on this machine: the rate of its LSTM cells alone.

For each shape (named as in `benchmarks/throughput.py`), three programs run over the shape's whole
population, sharded over the JAX devices and mapped over members in batches of `member_batch` as
`meta.make_chunk_fn` runs a generation, compiled with the meta-training options
(`symla_lite.compilation`):

- cells: the LSTM cells alone: every cell of every lifetime updated lifetime x micro_ticks times
  from a fixed input (the fused gate product and its sigmoids and tanhs, nothing else);
- agent: the agent's steps alone (cells, building each cell's input, messages; no environment,
  sampling or ES);
- generation: one whole ES generation, as `throughput.generation` sets it up.

Each is rated as `throughput.py` rates a generation: the generation's matrix-product FLOPs
(`throughput.step_flops`) per second over the dense float32 matmul rate. The cells' ratio bounds the
generation's efficiency: it is what the generation would reach if messages, environment, sampling
and the ES update took no time at all; the agent's ratio bounds it too, with only the work that
defines SymLA's step counted in (cells, inputs, messages). Last lines: `<shape>_ceiling=<ratio>`
(cells) and `<shape>_agent_bound=<ratio>` (agent) for every shape, `rl_ceiling` and
`rl_agent_bound` for the projected grid world at paper sizes (the bounds of `rl_efficiency`; the
lite bandit's, `lite_ceiling` and `lite_agent_bound`, bound `lite_efficiency`), and at the lite
bandit shapes `seeds_speedup_bound=`
generation / agent seconds: S seeds in one program still run S times the agent's steps, so unless
the steps of a batch holding `member_batch` members of every seed (as `meta.make_chunk_fn` batches
them) run faster per member than one seed's batch, `seeds_speedup` cannot exceed it.

    python benchmarks/ceiling.py [--shapes lite projgrid-paper ...] [--repeats 3]
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import throughput  # noqa: E402

PARTS = ("cells", "agent", "generation")
SUMMARY = {"projgrid-paper": "rl"}  # lite's lines already read lite_ceiling, lite_agent_bound


def programs(shape: str, **overrides) -> tuple[dict, float, dict]:
    """The three programs at `shape` (TrainConfig fields in `overrides` replace the preset's):
    ({part: (compiled, args)}, the generation's counted GFLOP, the sizes)."""
    import jax
    import jax.numpy as jnp
    from jax.sharding import NamedSharding
    from jax.sharding import PartitionSpec as P

    from symla_lite import compilation, rollout
    from symla_lite.agents.lstm import lstm_cell
    from symla_lite.sharding import AXIS

    run, es_state, gens, config, agent, env, mesh = throughput.generation(
        "symla", shape, **overrides
    )
    hp = config.hyper()
    lifetimes, length = hp["num_evals"], hp["lifetime"]
    num_obs, num_actions = rollout.obs_size(env, env.default_params), env.num_actions
    key = jax.random.key(0)
    population = jax.vmap(agent.init)(jax.random.split(key, hp["population"]))
    population = jax.device_put(population, NamedSharding(mesh, P(AXIS)))

    if agent.layers != 1:  # the cells below are one layer's A x B
        raise ValueError(f"ceiling.py times one-layer SymLA, got {agent.layers} layers")

    def cells(p, i):  # i: every lifetime its own input, so that none is computed once for all
        grid = (num_obs, num_actions)
        x = jnp.full((*grid, agent.cell_input_size), 0.1) + 1e-3 * i
        h0 = jnp.zeros((*grid, agent.hidden))

        def tick(hc, _):
            return lstm_cell(p.lstm, x, *hc), None

        return jax.lax.scan(tick, (h0, h0), None, length * agent.micro_ticks)[0][0].sum()

    def over_population(per_lifetime):
        steps = jnp.arange(lifetimes, dtype=jnp.float32)

        def member(p):
            return jax.vmap(lambda i: per_lifetime(p, i))(steps).sum()

        def local(pop):
            return jax.lax.map(member, pop, batch_size=config.member_batch)

        sharded = jax.shard_map(
            local, mesh=mesh, in_specs=P(AXIS), out_specs=P(AXIS), check_vma=False
        )
        options = compilation.options(agent, "meta_training")
        return jax.jit(sharded, compiler_options=options).lower(population).compile()

    parts = {
        "cells": (over_population(cells), (population,)),
        "agent": (
            over_population(throughput.agent_steps(agent, key, num_obs, num_actions, length)),
            (population,),
        ),
        "generation": (run.lower(es_state, gens).compile(), (es_state, gens)),
    }
    steps = hp["population"] * lifetimes * length
    gflop = steps * throughput.step_flops(agent, num_obs, num_actions) / 1e9
    sizes = dict(population=hp["population"], lifetimes=lifetimes, lifetime=length)
    sizes.update(inputs=num_obs, actions=num_actions, hidden=hp["hidden"], devices=mesh.size)
    return parts, gflop, sizes


def measure(shape: str, repeats: int, **overrides) -> dict:
    """Best-of-`repeats` seconds of each part at `shape`, with the counted GFLOP and the sizes.

    The parts are timed in turn, round after round, so that a shared machine's load changes
    affect them alike."""
    import jax

    parts, gflop, sizes = programs(shape, **overrides)
    out = dict(shape=shape, gflop=gflop, **sizes, **dict.fromkeys(parts, float("inf")))
    for compiled, args in parts.values():
        jax.block_until_ready(compiled(*args))
    for _ in range(repeats):
        for name, (compiled, args) in parts.items():
            t0 = time.perf_counter()
            jax.block_until_ready(compiled(*args))
            out[name] = min(out[name], time.perf_counter() - t0)
    return out


def report(rows: list[dict], matmul: float) -> list[str]:
    """The table and the summary lines: `<shape>_ceiling=`, `<shape>_agent_bound=`,
    `seeds_speedup_bound=`, `rl_ceiling=`, `rl_agent_bound=`."""
    lines = [
        f"dense float32 2048^2 matmul: {matmul:.1f} GFLOP/s; efficiency = counted GFLOP / s / that",
        f"{'shape':<15} {'pop':>4} {'evals':>5} {'L':>4} {'A':>3} {'B':>3} {'N':>3} {'dev':>3} "
        f"{'GFLOP':>8} " + " ".join(f"{p + ' s':>12} {'eff':>6}" for p in PARTS),
    ]
    for r in rows:
        sizes = ("population", "lifetimes", "lifetime", "inputs", "actions", "hidden", "devices")
        widths = (4, 5, 4, 3, 3, 3, 3)
        lines.append(
            f"{r['shape']:<15} "
            + " ".join(f"{r[k]:>{w}}" for k, w in zip(sizes, widths, strict=True))
            + f" {r['gflop']:>8.2f} "
            + " ".join(f"{r[p]:>12.4f} {r['gflop'] / r[p] / matmul:>6.3f}" for p in PARTS)
        )
    rate = {(r["shape"], p): r["gflop"] / r[p] / matmul for r in rows for p in PARTS}
    lines += [f"{r['shape']}_ceiling={rate[r['shape'], 'cells']:.3f}" for r in rows]
    lines += [f"{r['shape']}_agent_bound={rate[r['shape'], 'agent']:.3f}" for r in rows]
    lite = {r["shape"]: r for r in rows}.get("lite")
    if lite is not None:
        lines.append(f"seeds_speedup_bound={lite['generation'] / lite['agent']:.2f}")
    for shape, name in SUMMARY.items():  # the bounds under the names of what they bound
        if (shape, "cells") in rate:
            lines.append(f"{name}_ceiling={rate[shape, 'cells']:.3f}")
            lines.append(f"{name}_agent_bound={rate[shape, 'agent']:.3f}")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", nargs="+", default=["lite", "projgrid-paper", "paper"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--_child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    unknown = sorted(set(args.shapes) - set(throughput.SHAPES))
    if unknown:
        raise SystemExit(f"unknown shapes {unknown}; choose from {sorted(throughput.SHAPES)}")
    if args._child:
        print(json.dumps(measure(args._child, args.repeats)))
        return 0
    rows = []
    for shape in args.shapes:  # each in its own process, as throughput.py measures
        cmd = [sys.executable, __file__, "--_child", shape, "--repeats", str(args.repeats)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"{shape} failed:\n{proc.stderr[-3000:]}")
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print("\n".join(report(rows, throughput.machine_matmul_gflops())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
