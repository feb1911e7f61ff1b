"""SymLA meta-trained with a preset on uniform-dependent bandits vs Thompson sampling.

Both are measured on the same fresh test lifetimes (same tasks, same keys, none seen in training):
mean cumulative regret over the lifetime with its standard error.

    python benchmarks/bandit_regret.py [--preset lite] [--agent symla] [--seed 0] [--n-test 10000]
"""

import argparse
import time

import jax
import numpy as np

from symla_lite import agents, meta, rollout
from symla_lite.presets import PRESETS


def regret(agent, params, env, n_test, length):
    lt = jax.jit(lambda k: rollout.run_lifetimes(agent, params, env, k, n_test, length))(
        jax.random.key(2**31 - 1)  # test key: never used by meta-training, which folds in seeds
    )
    total = np.asarray(lt.regret.sum(-1), np.float64)
    return total.mean(), total.std(ddof=1) / np.sqrt(len(total))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="lite", choices=PRESETS)
    ap.add_argument("--agent", default="symla", choices=["symla", "metarnn"])
    ap.add_argument("--dist", default="uniform_dependent")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-test", type=int, default=10_000)
    args = ap.parse_args(argv)

    config = meta.TrainConfig(
        agent=args.agent, env_kwargs={"dist": args.dist}, preset=args.preset, seed=args.seed
    )
    t0 = time.perf_counter()
    result = meta.train(config)
    train_s = time.perf_counter() - t0
    length = config.hyper()["lifetime"]
    rows = [
        (
            f"{args.agent} ({args.preset}, seed {args.seed})",
            *regret(result.agent, result.params, result.env, args.n_test, length),
        ),
        (
            "thompson (Beta(1,1))",
            *regret(agents.make("thompson"), {}, result.env, args.n_test, length),
        ),
    ]
    print(
        f"\n{args.dist} bandit, {length} steps, {args.n_test} test lifetimes; meta-training {train_s:.0f} s"
    )
    print(f"{'method':<32} {'regret_mean':>12} {'regret_sem':>11}")
    for name, mean, sem in rows:
        print(f"{name:<32} {mean:>12.3f} {sem:>11.3f}")
    beats = rows[0][1] < rows[1][1]
    print(f"{args.agent}_below_thompson={beats}")
    return 0 if beats else 1


if __name__ == "__main__":
    raise SystemExit(main())
