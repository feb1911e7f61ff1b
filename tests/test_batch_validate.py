"""The batch checks every parameter value with the notebooks' own `validate` cells before any
notebook runs: a value a notebook rejects stops it with exit status 2 and that notebook's message,
nothing run, nothing logged."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from symla_lite.batch import cli, contract, plan, validate

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

PARAMETERS = """preset = "lite"
seed = 0
results_dir = "results"
figures_dir = "figures"
checkpoint_dir = "checkpoints"
x = 1
"""
VALIDATE = """from symla_lite import notebook

print("validating")
out = notebook.start("tiny", preset=preset, seed=seed, results_dir=results_dir,
                     figures_dir=figures_dir, checkpoint_dir=checkpoint_dir,
                     extra={"x": (x, int)})
if x < 0:
    raise ValueError(f"parameter 'x' must be >= 0, got {x}")
"""
WORK = """from pathlib import Path

path = Path(results_dir) / "x.txt"
path.parent.mkdir(parents=True, exist_ok=True)
path.write_text(str(x))
out.file(path)
out.finish()
"""


def tiny(folder: Path, name: str = "tiny", cells=None) -> Path:
    """A notebook of the contract: parameters, validate, work (which writes results/x.txt)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    if cells is None:
        cells = [(PARAMETERS, ["parameters"]), (VALIDATE, ["validate"]), (WORK, [])]
    for src, tags in cells:
        cell = nbformat.v4.new_code_cell(src)
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def dirs(tmp: Path, notebooks: Path = NOTEBOOKS) -> list[str]:
    return [
        *("--notebooks-dir", str(notebooks)),
        *("--executed-dir", str(tmp / "executed")),
        *("--logs-dir", str(tmp / "logs")),
        *("--results-dir", str(tmp / "results")),
        *("--figures-dir", str(tmp / "figures")),
        *("--checkpoint-dir", str(tmp / "checkpoints")),
    ]


def batch(tmp: Path, *args, notebooks: Path = NOTEBOOKS) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "symla_lite.batch", "--preset", "smoke", *dirs(tmp, notebooks)]
    return subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def nothing_ran(tmp: Path, proc) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "running" not in proc.stdout and "[1/" not in proc.stdout, proc.stdout
    assert not (tmp / "logs").exists() and not (tmp / "executed").exists()
    assert not (tmp / "figures").exists() and not (tmp / "checkpoints").exists()


# --- the contract: one validate cell, right after the parameters cell


@pytest.mark.parametrize(
    "cells, words",
    [
        ([(PARAMETERS, ["parameters"]), (WORK, [])], "exactly one code cell tagged 'validate'"),
        (
            [(PARAMETERS, ["parameters"]), (VALIDATE, ["validate"]), (VALIDATE, ["validate"])],
            "exactly one code cell tagged 'validate' (the cell that checks them), has 2",
        ),
        (
            [(PARAMETERS, ["parameters"]), (WORK, []), (VALIDATE, ["validate"])],
            "must be the code cell right after its cell tagged 'parameters'",
        ),
        ([(VALIDATE, ["validate"])], "exactly one code cell tagged 'parameters'"),
    ],
)
def test_a_notebook_needs_one_validate_cell_after_its_parameters(tmp_path, cells, words):
    path = tiny(tmp_path, cells=cells)
    with pytest.raises(contract.BadInput, match="notebook .*tiny.ipynb") as e:
        contract.read_parameters(path)
    assert words in str(e.value)


def test_every_notebook_of_the_repository_keeps_the_contract():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = contract.read_cells(path)
        assert "notebook.start(" in cells[contract.VALIDATE], path
        assert "out.csv(" not in cells[contract.VALIDATE] and "out.finish(" not in cells["validate"]


# --- the check itself, on a tiny notebook (no JAX): fast


def test_a_rejected_value_stops_the_batch_with_the_notebooks_message(tmp_path):
    nbs = tmp_path / "nbs"
    tiny(nbs)
    proc = batch(tmp_path, "-p", "x=-1", notebooks=nbs)
    nothing_ran(tmp_path, proc)
    assert not (tmp_path / "results" / "x.txt").exists()
    assert (
        "tiny (preset='smoke', seed=0, x=-1): ValueError: parameter 'x' must be >= 0, got -1"
        in proc.stderr
    )
    assert "validating" not in proc.stdout + proc.stderr  # what the cells print is discarded


def test_accepted_values_run_the_notebook(tmp_path):
    nbs = tmp_path / "nbs"
    tiny(nbs)
    proc = batch(tmp_path, "-p", "x=3", notebooks=nbs)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "run_all: the parameters of 1 notebook(s) pass their own checks" in proc.stdout
    assert proc.stdout.index("pass their own checks") < proc.stdout.index("[1/1] tiny: running")
    assert (tmp_path / "results" / "x.txt").read_text() == "3"
    proc = batch(tmp_path, "-p", "x=3", notebooks=nbs)  # up to date: nothing to check
    assert proc.returncode == 0 and "pass their own checks" not in proc.stdout, proc.stdout


def test_the_parameters_arrive_as_papermill_injects_them(tmp_path):
    nbs = tmp_path / "nbs"
    path = tiny(nbs)
    nb = plan.Notebook("tiny", path, contract.read_parameters(path))
    common = dict(preset="smoke", seed=7, results_dir="r", figures_dir="f", checkpoint_dir="c")
    plan.plan_parameters([nb], common, {"x": 5})
    labels, sources = zip(*validate.sources(nb), strict=True)
    assert "x = 1" in sources[0] and labels[2] == "its 'validate' cell"
    assert "x = 5\n" in sources[1] and "seed = 7\n" in sources[1]
    assert validate.run_cells("tiny", validate.sources(nb)) is None
    nb.params["x"] = -2
    assert validate.run_cells("tiny", validate.sources(nb)) == (
        "ValueError: parameter 'x' must be >= 0, got -2"
    )


def test_a_check_that_cannot_run_is_reported(tmp_path):
    nbs = tmp_path / "nbs"
    tiny(nbs, cells=[(PARAMETERS, ["parameters"]), ("import os\nos._exit(3)", ["validate"])])
    proc = batch(tmp_path, notebooks=nbs)
    nothing_ran(tmp_path, proc)
    assert "stopped with exit status 3, nothing was run" in proc.stderr


def test_the_validation_subprocess_reports_each_failing_notebook():
    payload = [
        dict(name="a", cells=[["its 'validate' cell", "x = 1"]]),
        dict(name="b", cells=[["its 'validate' cell", "raise KeyError('k')"]]),
        dict(name="c", cells=[["its 'parameters' cell", "1/0"]]),
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "symla_lite.batch.validate"],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith(validate.MARKER)]
    report = json.loads(line[len(validate.MARKER) :])
    assert report["errors"] == {
        "b": "KeyError: 'k'",
        "c": "ZeroDivisionError: division by zero (in its 'parameters' cell)",
    }
    # the same process reports the devices, for the batch's provenance (one JAX process, not two)
    assert report["device"]["backend"] in ("cpu", "gpu", "tpu") and report["device"]["count"] >= 1


# --- the repository's notebooks: their own rules, before the first runs


def test_lifetime_0_is_rejected_by_the_atlas_before_any_notebook_runs(tmp_path):
    proc = batch(tmp_path, "-p", "lifetime=0")
    nothing_ran(tmp_path, proc)
    assert "the notebooks' own checks reject the parameters (no notebook ran)" in proc.stderr
    assert (
        "  atlas (preset='smoke', seed=0, lifetime=0): ValueError: parameter 'lifetime': the "
        "lifetime scale must be > 0 and finite, got 0"
    ) in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 2  # no other notebook rejects anything


def test_out_of_range_values_are_rejected_by_each_notebook_that_has_them(tmp_path):
    proc = batch(tmp_path, "-p", "env_ids=['Nope-v0']", "-p", "hidden=0")
    nothing_ran(tmp_path, proc)
    err = proc.stderr
    assert "atlas (" in err and "unknown environment 'Nope-v0' in env_ids" in err
    assert (
        "unseen_environments (" in err
        and "parameter 'env_ids': unknown value(s) ['Nope-v0']" in err
    )
    assert "table1_symmetries (" in err and "choose an int from 1 to 256" in err
    assert "generalist (" in err
    rejected = [x.split()[0] for x in err.splitlines()[1:]]
    assert rejected == ["table1_symmetries", "unseen_environments", "generalist", "atlas"]


def test_the_defaults_of_every_notebook_pass_their_checks():
    available = plan.discover(NOTEBOOKS)
    notebooks = [plan.Notebook(n, p, contract.read_parameters(p)) for n, p in available.items()]
    assert len(notebooks) == 10
    # at lite, the batch's default (the -p tests above see every other notebook pass at smoke)
    common = dict(preset="lite", seed=0, results_dir="results", figures_dir="figures",
                  checkpoint_dir="checkpoints")  # fmt: skip
    plan.plan_parameters(notebooks, common, {})
    assert validate.check(notebooks)[0] > 0


def test_valid_values_pass(tmp_path):
    args = cli.parse_args(["--preset", "smoke", "-p", "lifetime=0.5", "-p", "hidden=8"])
    available = plan.discover(NOTEBOOKS)
    names = plan.select(available, ["atlas", "table1_symmetries"])
    notebooks = [
        plan.Notebook(n, available[n], contract.read_parameters(available[n])) for n in names
    ]
    common = dict(preset="smoke", seed=3, results_dir=str(tmp_path), figures_dir=str(tmp_path),
                  checkpoint_dir=str(tmp_path))  # fmt: skip
    plan.plan_parameters(notebooks, common, args.extra)
    assert validate.check(notebooks)[0] > 0
    assert list(tmp_path.iterdir()) == []  # the checks wrote nothing
