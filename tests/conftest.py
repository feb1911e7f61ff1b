"""Shared fixtures: running a notebook of the repository with papermill into a scratch folder."""

from pathlib import Path

import papermill
import pytest

ROOT = Path(__file__).resolve().parents[1]


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
