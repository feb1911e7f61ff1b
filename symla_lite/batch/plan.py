"""What a batch runs: the notebooks found, the ones chosen, their parameters and whether each is due."""

import ast
from dataclasses import dataclass, field
from pathlib import Path

from symla_lite.batch.contract import (
    REQUIRED_PARAMS,
    BadInput,
    outputs_record,
    reads,
    run_order,
    type_ok,
)
from symla_lite.batch.manifest import inputs_digest, package_digest, staleness


@dataclass
class Notebook:
    name: str
    path: Path
    defaults: dict  # parameter -> default value (or ... where the default is not a literal)
    params: dict = field(default_factory=dict)  # what this batch passes to papermill


@dataclass
class Task:
    """One notebook of the batch with where it writes and why it runs (reason None: it is not due)."""

    nb: Notebook
    digest: str  # of its inputs (the notebook and the package)
    executed: Path
    record: Path
    reason: str | None


def discover(notebooks_dir: Path) -> dict[str, Path]:
    if not notebooks_dir.is_dir():
        raise BadInput(f"no notebooks folder {notebooks_dir}")
    found = sorted(notebooks_dir.glob("*.ipynb"), key=lambda p: run_order(p.stem))
    return {p.stem: p for p in found}


def select(available: dict[str, Path], only: list[str] | None) -> list[str]:
    if not only:
        return list(available)
    unknown = [n for n in only if n not in available]
    if unknown:
        raise BadInput(
            f"unknown notebook(s) {unknown}; choose from {list(available) or '(none found)'}"
        )
    return [n for n in available if n in only]


def parse_value(text: str):
    """`-p` values are Python literals (1, 0.5, [1, 2], None, 'x'); anything else is a string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def plan_parameters(notebooks: list[Notebook], common: dict, extra: dict) -> None:
    """Fill each notebook's papermill parameters; unknown names or wrong types raise BadInput."""
    reserved = [k for k in extra if k in REQUIRED_PARAMS]
    if reserved:
        raise BadInput(f"set {reserved} with the options --preset, --seed, --results-dir, ...")
    for name, value in extra.items():
        users = [nb for nb in notebooks if name in nb.defaults]
        if not users:
            valid = sorted({k for nb in notebooks for k in nb.defaults} - set(REQUIRED_PARAMS))
            raise BadInput(
                f"unknown parameter {name!r}: no selected notebook has it; valid parameters: {valid}"
            )
        for nb in users:
            default = nb.defaults[name]
            if not type_ok(value, default):
                raise BadInput(
                    f"parameter {name!r} of notebook {nb.name!r} must be {type(default).__name__} "
                    f"(its default is {default!r}), got {value!r} ({type(value).__name__})"
                )
    for nb in notebooks:
        nb.params = {**common, **{k: v for k, v in extra.items() if k in nb.defaults}}


def plan_tasks(
    notebooks: list[Notebook], manifest: dict, dirs: dict, force: bool = False
) -> list[Task]:
    """Each notebook with the reason to run it (from the manifest; "--force" with `force`).

    dirs: the batch's folders by name ("executed", "results").
    """
    package = package_digest()
    tasks = []
    for nb in notebooks:
        digest = inputs_digest(nb.path, package)
        executed = dirs["executed"] / f"{nb.name}.ipynb"
        record = outputs_record(dirs["results"], nb.name)
        reason = staleness(manifest["notebooks"].get(nb.name), nb, executed, record, digest)
        if force and reason is None:
            reason = "--force"
        due = reads(nb.name, [t.nb.name for t in tasks if t.reason is not None])
        if reason is None and due:
            reason = f"it reads the outputs of {', '.join(due)}, which run first"
        tasks.append(Task(nb, digest, executed, record, reason))
    return tasks
