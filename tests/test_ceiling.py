"""benchmarks/ceiling.py: the three programs run at tiny sizes, and the report's arithmetic."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import ceiling  # noqa: E402

from symla_lite import agents  # noqa: E402

TINY = dict(population=4, num_evals=2, lifetime=3, member_batch=2)


def test_measure_times_every_part_at_tiny_sizes():
    row = ceiling.measure("grid-lite", repeats=1, **TINY)
    assert set(ceiling.PARTS) <= set(row)
    assert all(row[p] > 0 for p in ceiling.PARTS)
    assert (row["inputs"], row["actions"], row["lifetime"], row["population"]) == (4, 4, 3, 4)
    # the generation's counted FLOPs: 4 members x 2 lifetimes x 3 steps of SymLA (hidden 16)
    agent = agents.make("symla", hidden=16).for_task(4, 4)
    flops = 4 * 2 * 3 * ceiling.throughput.step_flops(agent, 4, 4)
    assert row["gflop"] == pytest.approx(flops / 1e9)


def test_report_rates_each_part_and_names_the_bounds():
    rows = [
        dict(shape="projgrid-paper", gflop=2.0, cells=1.0, agent=2.0, generation=4.0),
        dict(shape="lite", gflop=1.0, cells=0.5, agent=1.0, generation=1.0),
    ]
    for r in rows:
        r.update(population=8, lifetimes=2, lifetime=5, inputs=1, actions=2, hidden=16, devices=2)
    lines = ceiling.report(rows, matmul=4.0)
    assert lines[-7:] == [
        "projgrid-paper_ceiling=0.500",
        "lite_ceiling=0.500",
        "projgrid-paper_agent_bound=0.250",
        "lite_agent_bound=0.250",
        "seeds_speedup_bound=1.00",
        "rl_ceiling=0.500",
        "rl_agent_bound=0.250",
    ]
    table = {line.split()[0]: line.split() for line in lines[2:4]}
    assert table["projgrid-paper"][-6:] == ["1.0000", "0.500", "2.0000", "0.250", "4.0000", "0.125"]


def test_unknown_shape_is_a_clear_error():
    with pytest.raises(SystemExit, match="unknown shapes"):
        ceiling.main(["--shapes", "nope"])
