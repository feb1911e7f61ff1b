"""Meta-parameters on disk: one .npz with the arrays and a JSON record of what made them.

    save_params("symla_lite/shipped_bandit/symla_bandit.npz", params, agent,
                {"preset": "lite", "seed": 0, "command": "python -m ..."})
    params, agent, meta = load_params("symla_lite/shipped_bandit/symla_bandit.npz")

The record names the agent and its configuration, so `load_params` rebuilds the agent and checks
every array against the structure and shapes of that agent's `init`: a missing file, a file of
another structure, or arrays of other shapes raise a clear error instead of loading silently.
"""

import dataclasses
import io as _io
import json
from pathlib import Path
from typing import NamedTuple

import jax
import numpy as np

from symla_lite import agents, io

META_KEY = "__meta__"
FORMAT = "symla_lite.params/1"


class Loaded(NamedTuple):
    params: object  # pytree of the agent's meta-parameters (jax arrays)
    agent: object
    meta: dict  # the record saved with them (agent, agent_config, and the caller's fields)


def agent_config(agent) -> dict:
    """The constructor arguments of an agent dataclass (JSON-friendly)."""
    cfg = {f.name: getattr(agent, f.name) for f in dataclasses.fields(agent) if f.name != "name"}
    return {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()}


def _flat(tree, convert=np.asarray) -> dict:
    leaves = jax.tree_util.tree_flatten_with_path(tree)[0]
    return {jax.tree_util.keystr(path): convert(x) for path, x in leaves}


def _template(agent) -> dict:
    """{leaf name: ShapeDtypeStruct} of the agent's init, without computing it."""
    return _flat(jax.eval_shape(agent.init, jax.random.key(0)), convert=lambda x: x)


def save_params(path, params, agent, meta: dict | None = None) -> Path:
    """Write `params` of `agent` with `meta` (e.g. preset, seed, command) to `path` atomically."""
    flat = _flat(params)
    expected = _template(agent)
    if {k: v.shape for k, v in flat.items()} != {k: v.shape for k, v in expected.items()}:
        raise ValueError(f"params do not have the structure and shapes of {agent.name}'s init")
    record = {
        "format": FORMAT,
        "agent": agent.name,
        "agent_config": agent_config(agent),
        **(meta or {}),
    }
    if META_KEY in flat:
        raise ValueError(f"a parameter may not be named {META_KEY!r}")
    buf = _io.BytesIO()
    np.savez(buf, **flat, **{META_KEY: np.array(json.dumps(record, sort_keys=True))})
    path = Path(path)
    io.write_bytes(path, buf.getvalue())
    return path


def load_params(path, agent=None) -> Loaded:
    """Read a file written by `save_params`; returns (params, agent, meta).

    The agent is rebuilt from the record unless `agent` is given, in which case the file must fit
    it. Raises FileNotFoundError for a missing file and ValueError for a file that is not a
    parameter file or whose arrays do not match the agent's structure or shapes.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no parameter file at {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (ValueError, OSError) as err:
        raise ValueError(f"{path} is not a parameter file written by save_params: {err}") from None
    if META_KEY not in arrays:
        raise ValueError(f"{path} has no {META_KEY} record: not written by save_params")
    meta = json.loads(str(arrays.pop(META_KEY)))
    if agent is None:
        agent = agents.make(meta["agent"], **meta["agent_config"])
    elif agent.name != meta["agent"]:
        raise ValueError(f"{path} holds {meta['agent']} parameters, not {agent.name}")
    expected = _template(agent)
    missing = sorted(set(expected) - set(arrays))
    extra = sorted(set(arrays) - set(expected))
    if missing or extra:
        raise ValueError(
            f"{path} does not match the structure of {agent.name} {agent_config(agent)}: "
            f"missing {missing}, unexpected {extra}"
        )
    for k, want in expected.items():
        if arrays[k].shape != want.shape:
            raise ValueError(
                f"{path}: parameter {k} has shape {arrays[k].shape}, {agent.name} "
                f"{agent_config(agent)} needs {want.shape}"
            )
    treedef = jax.tree_util.tree_structure(jax.eval_shape(agent.init, jax.random.key(0)))
    leaves = [jax.numpy.asarray(arrays[k], want.dtype) for k, want in expected.items()]
    return Loaded(jax.tree_util.tree_unflatten(treedef, leaves), agent, meta)
