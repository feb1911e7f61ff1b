"""Colab's Python: the package installs into a fresh Python 3.12 virtual environment (from the
repository, as the tour's install cell does, not in editable mode) and the tour and bandits
notebooks run there at the smoke preset, outside the clone (the shipped meta-parameters come with
the package). Python 3.12 is found on PATH (`python3.12`) or under pyenv; without one the test is
skipped, naming what it looked for."""

import glob
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {  # notebook: its smoke parameters beyond the preset (the cheaper ones of its own test)
    "tour": {},
    "bandits": {"n_test": 2000, "more_arms": [2, 3], "unseen_reduces": ["sum"]},
}


def _python312() -> str | None:
    """The first Python 3.12 that runs: pyenv's, then python3.12 on PATH (a pyenv shim of a
    version not selected fails, so each candidate is asked for its version)."""
    candidates = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")))
    candidates += [p for p in [shutil.which("python3.12")] if p]
    for python in candidates:
        check = [python, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"]
        done = subprocess.run(check, capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip() == "True":
            return python
    return None


@pytest.mark.heavy
def test_the_tour_and_bandits_run_on_python_312_from_an_installed_package(tmp_path):
    python = _python312()
    if python is None:
        pytest.skip("no Python 3.12: neither python3.12 on PATH nor ~/.pyenv/versions/3.12*")
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    # --no-compile: no byte-compiling of every installed module up front (15 of the install's 55 s
    # here); Python compiles what the notebooks import when they import it
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-compile"]
    subprocess.run([*pip, f"{ROOT}[notebooks]"], check=True, cwd=tmp_path)
    env = dict(os.environ, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    work = tmp_path / "work"  # not the clone: nothing may come from its working directory
    work.mkdir()
    for name, params in NOTEBOOKS.items():
        args = ["-p", "preset", "smoke"]
        for key, value in params.items():
            args += ["-y", json.dumps({key: value})]
        out = work / f"{name}.ipynb"
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "papermill", str(ROOT / "notebooks" / f"{name}.ipynb"),
             str(out), *args, "-k", "python3", "--cwd", str(work), "--no-progress-bar"],
            check=True, env=env, cwd=work,
        )  # fmt: skip
        nb = json.loads(out.read_text())
        assert nb["metadata"]["language_info"]["version"].startswith("3.12.")
        errors = [
            o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"
        ]
        assert not errors
        record = json.loads((work / "results" / "outputs" / f"{name}.json").read_text())
        pngs = [f for f in record["files"] if f.endswith(".png")]
        assert pngs and all((work / f).stat().st_size > 1000 for f in pngs)
