"""Meta-train SymLA and MetaRNN on bandits and ship their parameters with a generated README.

    python -m symla_lite.experiments.ship_params [--preset lite] [--seed 0] [--out symla_lite/shipped_bandit]

Writes <out>/<agent>_bandit.npz (`symla_lite.params_io`) and <out>/README.md, which records how
they were produced and their regret on fresh test lifetimes next to Thompson sampling. The default
folder is package data: the tour loads them from an installed package (Colab) as from a clone.
"""

import argparse
import shlex
import sys
import time
from pathlib import Path

import pandas as pd

from symla_lite import agents, evaluation, io, meta, params_io
from symla_lite.presets import PRESETS

DIST = "uniform_dependent"
AGENTS = ("symla", "metarnn")
N_TEST = 10_000


def markdown_table(df: pd.DataFrame, floatfmt: str = ".3f") -> str:
    """A GitHub markdown table of `df` (pandas' to_markdown needs tabulate, not in the stack)."""
    fmt = lambda v: format(v, floatfmt) if isinstance(v, float) else str(v)  # noqa: E731
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    rule = "|" + "---|" * len(df.columns)
    body = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def shipped_path(out, agent: str) -> Path:
    return Path(out) / f"{agent}_bandit.npz"


def regret_row(name, agent, params, env, hp, seed, n_test) -> dict:
    test = evaluation.test_set(env, evaluation.test_key(seed, "ship"), n_test)
    s = evaluation.regret(agent, params, test, hp["lifetime"])
    return evaluation.summary_row(s, method=name, test_dist=DIST, horizon=hp["lifetime"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="lite", choices=PRESETS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="symla_lite/shipped_bandit")
    ap.add_argument("--n-test", type=int, default=N_TEST)
    args = ap.parse_args(argv)
    command = shlex.join(
        ["python", "-m", "symla_lite.experiments.ship_params", *(argv or sys.argv[1:])]
    )
    rows, lines = [], []
    for name in AGENTS:
        config = meta.TrainConfig(
            agent=name,
            env="bandit",
            env_kwargs={"dist": DIST, "num_arms": 2},
            preset=args.preset,
            seed=args.seed,
        )
        t0 = time.perf_counter()
        res = meta.train(config)
        seconds = time.perf_counter() - t0
        hp = config.hyper()
        path = shipped_path(args.out, name)
        record = dict(
            preset=args.preset,
            seed=args.seed,
            env="bandit",
            dist=DIST,
            num_arms=2,
            hyper=hp,
            train_seconds=round(seconds, 1),
            final_mean_fitness=float(res.history["mean_fitness"].iloc[-1]),
            command=command,
        )
        params_io.save_params(path, res.params, res.agent, record)
        rows.append(regret_row(name, res.agent, res.params, res.env, hp, args.seed, args.n_test))
        lines.append(f"- `{path.name}`: {name}, {res.agent}, meta-trained in {seconds:.0f} s")
    rows.append(
        regret_row("thompson", agents.make("thompson"), {}, res.env, hp, args.seed, args.n_test)
    )
    table = pd.DataFrame(rows)
    io.write_csv(table, Path(args.out) / "shipped_regret.csv")
    hp_text = ", ".join(f"{k} {v}" for k, v in hp.items())
    readme = f"""# Shipped meta-parameters

Meta-trained on two-armed `{DIST}` bandits (Appendix B) with OpenAI-ES, preset `{args.preset}`
({hp_text}), seed {args.seed}:

{chr(10).join(lines)}

Produced and reproduced (from the repository root; it rewrites this folder, which is package
data: an installed symla_lite carries it) by:

```bash
{command}
```

Load them with `symla_lite.params_io.load_params(path)`, which rebuilds the agent from the record in
the file and returns `(params, agent, meta)`; `meta` holds the preset, seed, hyper-parameters and
this command. Mean cumulative regret over {hp["lifetime"]} steps on {args.n_test:,} fresh test
lifetimes (`shipped_regret.csv`, written by the same command):

{markdown_table(table[["method", "regret_mean", "regret_sem", "n_lifetimes"]])}

Timings are wall-clock on the machine that ran the command (the repository's is a shared 2-core CPU).
"""
    io.write_bytes(Path(args.out) / "README.md", readme.encode())
    print(readme)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
