"""Shared fixtures: running a notebook of the repository with papermill into a scratch folder.

The session shares one JAX compilation cache with every notebook kernel and subprocess the tests
start (set before jax is imported): the smoke programs, which the batch tests, the notebook tests
and the meta-training tests compile again and again, compile once. Compiling is most of a smoke
test's time; a cached program is the same program, so no result changes. The cache is kept between
runs in this clone (CACHE, under the git-ignored checkpoints/), so a second run compiles only the
programs that changed; `JAX_COMPILATION_CACHE_DIR` set to another folder (an empty one: a cold run)
is used instead. A key is the program, the compile options and jaxlib's version, so an edit to the
package or an upgrade compiles afresh; the folder is emptied at the start of a run once it holds
more than CACHE_LIMIT bytes (`trim`).

The suite runs in two pytest-xdist workers (`-n 2` in pyproject.toml's addopts; `-n 0` runs it in
one process): compiling is single-threaded, so two workers keep both cores of a 2-core machine busy.
The process that loads this file first (the controller, or the only process with `-n 0`) points
JAX_COMPILATION_CACHE_DIR at the cache; the workers it starts inherit it, so they and their kernels
share it. Which test runs on which worker: `pytest_xdist_make_scheduler`.
"""

import os
import shutil
from pathlib import Path

import papermill
import pytest

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "checkpoints" / "jax_cache_tests"
CACHE_LIMIT = 2**30  # a run of the whole suite adds about 55 MB for each state of the code


def trim(folder: Path, limit: int) -> bool:
    """Empty `folder` if its files hold more than `limit` bytes; whether it did."""
    if sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) <= limit:
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return True


if "JAX_COMPILATION_CACHE_DIR" not in os.environ:  # the controller (workers inherit it)
    trim(CACHE, CACHE_LIMIT)
    os.environ["JAX_COMPILATION_CACHE_DIR"] = str(CACHE)
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")


# Test modules whose tests share a module-scoped fixture (a batch run, a meta-training): each runs
# whole on one worker, so that the fixture runs once (tests/test_suite.py checks the list).
ONE_WORKER = ("tests/test_batch.py", "tests/test_diversity.py", "tests/test_meta.py")

# Heavy tests that compile many of the same programs (measured: one cache folder per test, the
# cache keys compared): each group runs on one worker, one test after the other in the order of
# collection, so that the later ones load from the compilation cache what the first compiled; run
# side by side on two workers, both would compile them. Measured on a 2-core CPU, the generalist
# group alone on one worker (atlas, generalist, milestone): the atlas notebook 45 s, then the
# generalist notebook 71 s and the milestone test 26 s, against 93 and 44 s each from an empty
# cache (the suite runs the group in the order of collection: milestone, atlas, generalist).
SHARED_PROGRAMS = {
    "generalist": (  # the smoke generalists' meta-training and their meta-test
        "tests/test_mixture.py::test_the_generalist_keeps_its_milestones_and_its_last_is_the_run",
        "tests/test_notebook_atlas.py::test_atlas_notebook_smoke",
        "tests/test_notebook_generalist.py::test_generalist_notebook_smoke",
    ),
    "bandit notebooks": (  # the tour's and bandits' smoke programs, run again under Python 3.12
        "tests/test_notebook_bandits.py::test_bandits_notebook_smoke",
        "tests/test_notebook_tour.py::test_tour_notebook_smoke",
        "tests/test_python312.py::test_the_tour_and_bandits_run_on_python_312_from_an_installed_package",
    ),
    "grid world": (  # the smoke grid world's meta-training
        "tests/test_notebook_ablations.py::test_ablations_notebook_smoke",
        "tests/test_notebook_unseen_tasks.py::test_unseen_tasks_notebook_smoke",
    ),
}
_GROUP_OF = {nodeid: group for group, nodeids in SHARED_PROGRAMS.items() for nodeid in nodeids}


def scope(nodeid: str) -> str:
    """The unit of work a test belongs to (one worker runs a unit whole, in order): its module
    for the modules of ONE_WORKER, its group of SHARED_PROGRAMS, else the test alone."""
    module = nodeid.split("::", 1)[0]
    if module in ONE_WORKER:
        return module
    return _GROUP_OF.get(nodeid, nodeid)


def pytest_collection_modifyitems(config, items):
    """Tests marked `heavy` (a notebook run end to end, several meta-trainings) first, each group in
    its order of collection: an xdist worker takes the next test as it frees up, so the long tests
    start early and the short ones fill in at the end (neither worker is left running a long test
    alone)."""
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With `--dist loadscope` (pyproject.toml): the units of work of `scope`, handed to whichever
    worker frees up first (xdist's loadscope, which would keep every module whole; its loadgroup
    and xdist_group marks do not group under pytest 9, whose node ids xdist 3.8 cannot extend)."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope(nodeid)

    return Scheduling(config, log)


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
