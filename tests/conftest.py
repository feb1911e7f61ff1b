"""Shared fixtures: running a notebook of the repository with papermill into a scratch folder.

The session shares one JAX compilation cache with every notebook kernel and subprocess the tests
start (set before jax is imported): the smoke programs, which the batch tests, the notebook tests
and the meta-training tests compile again and again, compile once. Compiling is most of a smoke
test's time; a cached program is the same program, so no result changes.
"""

import os
import shutil
import tempfile
from pathlib import Path

import papermill
import pytest

ROOT = Path(__file__).resolve().parents[1]
if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
    CACHE = tempfile.mkdtemp(prefix="symla_lite_jax_cache_")
    os.environ["JAX_COMPILATION_CACHE_DIR"] = CACHE
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
else:
    CACHE = None


@pytest.fixture(scope="session", autouse=True)
def _remove_compilation_cache():
    yield
    if CACHE is not None:
        shutil.rmtree(CACHE, ignore_errors=True)


@pytest.fixture
def run_notebook(tmp_path):
    """run_notebook(name, **params) -> {"results", "figures", "checkpoints"}: the folders it wrote.

    Runs notebooks/<name>.ipynb in the smoke preset (unless `preset` is given), from the repository
    root as the batch does, writing only below tmp_path.
    """

    def run(name: str, **params) -> dict[str, Path]:
        dirs = {k: tmp_path / k for k in ("results", "figures", "checkpoints")}
        papermill.execute_notebook(
            str(ROOT / "notebooks" / f"{name}.ipynb"),
            str(tmp_path / f"{name}_out.ipynb"),
            parameters={
                "preset": "smoke",
                "results_dir": str(dirs["results"]),
                "figures_dir": str(dirs["figures"]),
                "checkpoint_dir": str(dirs["checkpoints"]),
                **params,
            },
            kernel_name="python3",
            cwd=str(ROOT),
            progress_bar=False,
        )
        return dirs

    return run


@pytest.fixture
def check_figure_and_record():
    """check(dirs, name): the figure <name>.png/.pdf is non-trivial and the outputs record exists."""

    def check(dirs: dict[str, Path], name: str) -> None:
        for ext in ("png", "pdf"):
            assert (dirs["figures"] / f"{name}.{ext}").stat().st_size > 1000
        assert (dirs["results"] / "outputs" / f"{name}.json").exists()

    return check
