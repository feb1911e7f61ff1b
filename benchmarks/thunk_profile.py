"""Where one meta-training generation's time goes, per XLA:CPU thunk (fusion), grouped by kind.

Compiles one ES generation exactly as `benchmarks/throughput.py` does (`throughput.generation`),
runs it `--repeats` times under `jax.profiler.trace`, reads the trace back with
`jax.profiler.ProfileData` and sums each thunk's time. Each thunk is classed from the optimised
HLO of the fusion it runs:

- product: a fusion with a dot (the LSTM gates' fused product, the message / read-out products);
- transcendental: element-wise work with exp, tanh or logistic (the LSTM's gate non-linearities);
- concatenate: building each cell's input from the broadcast messages;
- other: everything else (environment, sampling, ES update, copies).

    python benchmarks/thunk_profile.py --agent symla --shape grid-lite [--seeds 3] [--repeats 3]

It prints the share of each class and the `--top` thunks with their output shapes, and a last line
`product_share=<ratio>`: the share of thunk time in matrix products, which bounds a generation's
efficiency (the achieved rate cannot exceed the products' own rate times this share). Tracing
slows every thunk, so the shares are indicative; the generation's time is measured untraced.
"""

import argparse
import collections
import glob
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import throughput  # noqa: E402

KINDS = ("product", "transcendental", "concatenate", "other")
_INSTR = re.compile(r"^\s*(?:ROOT )?%?([\w.\-]+) = (.*?) ([\w\-]+)\(")
# control flow runs other thunks (counting it would count them twice); the rest runs no code
_NOT_THUNKS = {"while", "conditional", "call", "tuple", "get-tuple-element", "parameter"}
_NOT_THUNKS |= {"constant", "bitcast", "after-all", "partition-id", "replica-id"}
_CALLS = re.compile(r"calls=%?([\w.\-]+)")
_COMP = re.compile(r"^%?([\w.\-]+) \(.*\) -> .* \{$")


def hlo_kinds(hlo: str) -> dict[str, tuple[str, str]]:
    """Map each instruction name of an optimised HLO module to (kind, output shape)."""
    bodies, current = {}, None
    for line in hlo.splitlines():
        m = _COMP.match(line)
        if m:
            current = m.group(1)
            bodies[current] = []
        elif line.startswith("}"):
            current = None
        elif current is not None:
            bodies[current].append(line)
    out = {}
    for lines in bodies.values():
        for line in lines:
            m = _INSTR.match(line)
            if not m:
                continue
            name, shape, op = m.group(1), m.group(2).split("{")[0], m.group(3)
            if op in _NOT_THUNKS:
                continue
            calls = _CALLS.search(line)
            body = "\n".join(bodies.get(calls.group(1), [])) if calls else line
            if re.search(r"\bdot\(", body) or "convolution(" in body:
                kind = "product"
            elif re.search(r"\b(exponential|tanh|logistic)\(", body):
                kind = "transcendental"
            elif "concatenate(" in body:
                kind = "concatenate"
            else:
                kind = "other"
            out[name] = (kind, shape)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agent", default="symla")
    ap.add_argument("--shape", default="grid-lite", choices=list(throughput.SHAPES))
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args(argv)

    import jax

    run, es_state, gens, *_ = throughput.generation(args.agent, args.shape, args.seeds)
    compiled = run.lower(es_state, gens).compile()
    kinds = hlo_kinds(compiled.as_text())
    jax.block_until_ready(compiled(es_state, gens))
    wall = float("inf")
    for _ in range(args.repeats):  # untraced: tracing every thunk slows the program many times
        t0 = time.perf_counter()
        jax.block_until_ready(compiled(es_state, gens))
        wall = min(wall, time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as d:
        with jax.profiler.trace(d):
            for _ in range(args.repeats):
                jax.block_until_ready(compiled(es_state, gens))
        path = glob.glob(f"{d}/**/*.xplane.pb", recursive=True)[0]
        data = jax.profiler.ProfileData.from_file(path)
    per_thunk, calls = collections.Counter(), collections.Counter()
    for plane in data.planes:
        for line in plane.lines:
            for ev in line.events:
                if ev.name in kinds:
                    per_thunk[ev.name] += ev.duration_ns / args.repeats
                    calls[ev.name] += 1 / args.repeats
    total = sum(per_thunk.values())
    if not total:
        raise RuntimeError("the trace holds no thunk of the compiled program (profiler off?)")
    by_kind = collections.Counter()
    for name, ns in per_thunk.items():
        by_kind[kinds[name][0]] += ns
    print(
        f"{args.agent} at {args.shape}, {args.seeds} seed(s), one generation: {wall:.3f} s "
        f"(best of {args.repeats}, untraced); traced, {total / 1e9:.3f} s in thunks summed over "
        f"{len(jax.devices())} device(s), shares of that:"
    )
    for kind in KINDS:
        print(f"  {kind:<15} {by_kind[kind] / 1e9:8.3f} s  {by_kind[kind] / total:6.1%}")
    print(f"top {args.top} thunks:")
    for name, ns in per_thunk.most_common(args.top):
        kind, shape = kinds[name]
        print(f"  {ns / 1e6:9.1f} ms {calls[name]:7.0f} calls  {kind:<15} {name:<34} {shape}")
    print(f"product_share={by_kind['product'] / total:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
