"""symla_lite.shipped: meta-parameters a standard batch writes and a smaller batch meta-tests."""

import jax
import numpy as np
import pytest

from symla_lite import agents, params_io, shipped


def _runs():
    """Two methods whose names differ from their agents' (as the atlas's would), two seeds each."""
    sym, rnn = agents.make("symla", hidden=4), agents.make("metarnn", hidden=4).for_task(3, 2)
    out = []
    for method, agent in (("generalist", sym), ("generalist_metarnn", rnn)):
        for s in (3, 4):
            out.append((method, s, agent, agent.init(jax.random.key(s))))
    return out


RECORD = dict(experiment="x", preset="standard", base_seed=3, lifetime=50)


def test_saved_runs_load_as_one_batch_in_method_order(tmp_path):
    runs = _runs()
    files = shipped.save(runs[::-1], tmp_path, RECORD)  # written in any order
    assert sorted(p.name for p in files) == [
        "generalist_metarnn_seed3.npz", "generalist_metarnn_seed4.npz",
        "generalist_seed3.npz", "generalist_seed4.npz",
    ]  # fmt: skip
    got = shipped.load(tmp_path, "x", ("generalist", "generalist_metarnn"))
    assert (got["lifetime"], got["seed"], got["files"]) == (50, 3, sorted(files))
    for (m, s, a, p), (m2, s2, a2, p2) in zip(runs, got["runs"], strict=True):
        assert (m, s, a.name) == (m2, s2, a2.name)
        assert all(np.array_equal(x, y) for x, y in zip(*map(jax.tree.leaves, (p, p2))))


def test_load_names_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match="--preset standard --only x"):
        shipped.load(tmp_path, "x", ("generalist",))
    shipped.save(_runs(), tmp_path, RECORD)
    with pytest.raises(ValueError, match="at preset 'paper'"):
        shipped.load(tmp_path, "x", ("generalist", "generalist_metarnn"), preset="paper")
    with pytest.raises(ValueError, match="one batch's y meta-parameters"):
        shipped.load(tmp_path, "y", ("generalist", "generalist_metarnn"))
    with pytest.raises(ValueError, match=r"of \['generalist'\]"):  # a method more than asked for
        shipped.load(tmp_path, "x", ("generalist",))
    method, s, agent, params = _runs()[0]
    params_io.save_params(
        tmp_path / "generalist_seed9.npz", params, agent, {**RECORD, "base_seed": 0}
    )
    with pytest.raises(ValueError, match="one batch's"):  # two base seeds
        shipped.load(tmp_path, "x", ("generalist", "generalist_metarnn"))


def test_a_record_without_a_method_is_its_agents(tmp_path):
    # the files written before records named the method (results/standard/unseen_observations_params)
    agent = agents.make("symla", hidden=4)
    params_io.save_params(tmp_path / "symla_seed0.npz", agent.init(jax.random.key(0)), agent,
                          {**RECORD, "seed": 0})  # fmt: skip
    assert [r[:2] for r in shipped.load(tmp_path, "x", ("symla",))["runs"]] == [("symla", 0)]
