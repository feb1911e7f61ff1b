"""Shared fixtures: running a notebook of the repository with papermill into a scratch folder.

The session shares one JAX compilation cache with every notebook kernel and subprocess the tests
start (set before jax is imported): the smoke programs, which the batch tests, the notebook tests
and the meta-training tests compile again and again, compile once. Compiling is most of a smoke
test's time; a cached program is the same program, so no result changes.

The suite runs in two pytest-xdist workers (`-n 2` in pyproject.toml's addopts; `-n 0` runs it in
one process): compiling is single-threaded, so two workers keep both cores of a 2-core machine busy.
Tests that share a module-scoped fixture are marked `xdist_group` to run on one worker.
The process that loads this file first (the controller, or the only process with `-n 0`) makes the
cache; the workers it starts inherit JAX_COMPILATION_CACHE_DIR, so they and their kernels share it,
and the controller removes it when the whole run is over (`pytest_unconfigure`).
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


def pytest_collection_modifyitems(config, items):
    """Tests marked `heavy` (a notebook run end to end, several meta-trainings) first, each group in
    its order of collection. An xdist worker takes the next test as it frees up (`--dist loadgroup`,
    after the groups of tests that share a module-scoped fixture), so the long tests start early and
    the short ones fill in at the end: neither worker is left running a long test alone."""
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


def pytest_unconfigure(config):
    """Remove the cache this process made (None in a worker: its controller made the cache)."""
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
