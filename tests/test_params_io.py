"""Meta-parameters round-trip through a file; bad files give clear errors."""

import jax
import numpy as np
import pytest

from symla_lite import agents
from symla_lite.params_io import load_params, save_params


def test_round_trip_rebuilds_the_agent(tmp_path):
    agent = agents.make("metarnn", num_obs=2, num_actions=3, hidden=4)
    params = agent.init(jax.random.key(3))
    path = save_params(tmp_path / "p.npz", params, agent, {"preset": "smoke", "seed": 7})
    got, got_agent, meta = load_params(path)
    assert got_agent == agent and meta["seed"] == 7 and meta["agent"] == "metarnn"
    for a, b in zip(jax.tree.leaves(params), jax.tree.leaves(got), strict=True):
        np.testing.assert_array_equal(a, b)
    assert [p.name for p in tmp_path.iterdir()] == ["p.npz"]  # no temporary left behind


def test_missing_and_mismatched_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no parameter file"):
        load_params(tmp_path / "nope.npz")
    agent = agents.make("symla", hidden=4)
    path = save_params(tmp_path / "s.npz", agent.init(jax.random.key(0)), agent)
    with pytest.raises(ValueError, match="shape"):
        load_params(path, agents.make("symla", hidden=8))
    with pytest.raises(ValueError, match="holds symla parameters"):
        load_params(path, agents.make("metarnn", num_obs=1, num_actions=2))
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="not written by save_params"):
        load_params(tmp_path / "other.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a parameter file"):
        load_params(tmp_path / "junk.npz")
    with pytest.raises(ValueError, match="structure"):
        save_params(tmp_path / "bad.npz", {"w": np.zeros(2)}, agent)
    assert not (tmp_path / "bad.npz").exists()
