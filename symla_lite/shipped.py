"""Meta-parameters that a `standard` batch writes and the default batch meta-tests.

Where an experiment's claim needs more than the default batch's budget, its `standard` run saves
every meta-trained (method, seed) to `<results>/standard/<experiment>_params/<method>_seed<s>.npz`
(`params_io`, with a record of the experiment, preset, base seed and lifetime); the batch of a
smaller preset (`presets.ships`) loads them (`load`) and meta-tests them exactly as their own batch
did. A run is a tuple (method, seed, agent, params), the form every experiment's meta-test takes.
"""

from pathlib import Path

from symla_lite import params_io, presets


def runs(learners: dict) -> list[tuple]:
    """{method: [meta.TrainResult per seed]} -> [(method, seed, agent, params)], in that order."""
    return [
        (m, r.config.seed, r.agent, r.params) for m, results in learners.items() for r in results
    ]


def path(folder, method: str, seed: int) -> Path:
    return Path(folder) / f"{method}_seed{seed}.npz"


def save(runs, folder, record: dict) -> list[Path]:
    """Write every (method, seed, agent, params) of `runs` to <folder>/<method>_seed<seed>.npz with
    `record` (experiment, preset, base_seed, lifetime, ...), the run's method and seed."""
    return [
        params_io.save_params(
            path(folder, method, s), params, agent, {**record, "method": method, "seed": s}
        )
        for method, s, agent, params in runs
    ]


def _method(record: dict) -> str:
    # files written before records named the method hold one method per agent
    return record.get("method", record["agent"])


def load(folder, experiment: str, methods, preset: str = presets.SHIPPED) -> dict:
    """What `save` wrote to `folder` for `experiment` at `preset`: {"runs": [(method, seed, agent,
    params)] in `methods` order and by seed, "lifetime", "seed" (the base seed), "files"}. Raises
    FileNotFoundError (naming the command that writes them) when there are none, ValueError when
    they are not one batch's of every method."""
    files = sorted(Path(folder).glob("*_seed*.npz"))
    if not files:
        raise FileNotFoundError(
            f"no meta-parameters of {experiment} in {folder}: `./run_all.sh --preset {preset} "
            f"--only {experiment}` writes them"
        )
    loaded = [params_io.load_params(p) for p in files]
    records = [m for _, _, m in loaded]
    bad = [
        str(p) for p, m in zip(files, records, strict=True)
        if (m.get("experiment"), m.get("preset")) != (experiment, preset)
    ]  # fmt: skip
    batch = {(m.get("lifetime"), m.get("base_seed")) for m in records}
    if bad or len(batch) != 1 or {_method(m) for m in records} != set(methods):
        raise ValueError(
            f"{folder}: expected one batch's {experiment} meta-parameters of {list(methods)} at "
            f"preset {preset!r}; found {bad or sorted(batch)} in {[p.name for p in files]}"
        )
    runs = [(_method(m), m["seed"], agent, params) for params, agent, m in loaded]
    runs.sort(key=lambda r: (list(methods).index(r[0]), r[1]))
    ((lifetime, seed),) = batch
    return dict(runs=runs, lifetime=lifetime, seed=seed, files=files)
