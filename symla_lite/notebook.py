"""What every notebook shares: parameter validation and the record of the files it writes.

A notebook's `parameters` cell sets at least `preset`, `seed`, `results_dir`, `figures_dir` and
`checkpoint_dir` (paths relative to the repository root, where papermill runs it). Its next cell:

    out = notebook.start("bandits", preset=preset, seed=seed, results_dir=results_dir,
                         figures_dir=figures_dir, checkpoint_dir=checkpoint_dir,
                         extra={"n_test": (n_test, int)})
    out.csv(df, "bandits_baselines.csv")     # atomic; recorded with its sha256
    out.figure(fig, "bandits_regret")        # PNG and PDF, atomic; recorded; the PNG shown
    out.finish()                              # writes <results_dir>/outputs/<name>.json

`run_all.sh` reads those records to build results/manifest.json. The rules both sides share (the
parameters, the record's path) are in `symla_lite.batch.contract`.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from symla_lite import io
from symla_lite.batch.contract import (
    DIR_PARAMS,
    check_param,
    check_seed,
    outputs_record,
    sha256_file,
)
from symla_lite.presets import PRESETS

__all__ = ["Outputs", "check_param", "start"]

FIGURE_WIDTH = 800  # pixels: a figure reads on a laptop screen beside the notebook's text


@dataclass
class Outputs:
    name: str
    preset: str
    seed: int
    results_dir: Path
    figures_dir: Path
    checkpoint_dir: Path
    written: dict = field(default_factory=dict)  # path -> sha256
    read: dict = field(default_factory=dict)  # path -> sha256 of inputs from other notebooks

    def _record(self, path: Path) -> Path:
        self.written[str(path)] = sha256_file(path)
        return path

    def csv(self, df, filename: str) -> Path:
        path = self.results_dir / filename
        io.write_csv(df, path)
        return self._record(path)

    def figure(self, fig, stem: str, show: bool = True, width: int = FIGURE_WIDTH) -> None:
        """Save `fig` as <figures_dir>/<stem>.png and .pdf (atomic, recorded), close it, and with
        `show` display the saved PNG in the notebook, `width` pixels wide: the executed notebook
        shows exactly the file a reader would open (tests/test_executed_figures.py)."""
        from symla_lite import plots

        paths = [self._record(p) for p in io.save_figure(fig, self.figures_dir / stem)]
        plots.close(fig)
        if show:
            from IPython.display import Image, display

            display(Image(filename=str(paths[0]), width=width))

    def file(self, path) -> Path:
        """Record a file written by other means (already complete)."""
        return self._record(Path(path))

    def claims(self, rows) -> Path:
        """Write this experiment's claims-table rows (`symla_lite.verdict.row` dicts or a
        DataFrame) to <results_dir>/<name>_claims.csv; the claims notebook joins every
        experiment's into <results_dir>/claims.csv."""
        from symla_lite import verdict

        df = verdict.table(rows.to_dict("records") if hasattr(rows, "to_dict") else rows)
        if (df["experiment"] != self.name).any():
            raise ValueError(f"claims of another experiment written by notebook {self.name!r}")
        return self.csv(df, f"{self.name}{verdict.SUFFIX}")

    def inputs(self, paths) -> list[Path]:
        """Record files this notebook reads (another notebook's outputs): the batch runs it
        again when they change."""
        out = []
        for p in paths:
            p = Path(p)
            self.read[str(p)] = sha256_file(p)
            out.append(p)
        return out

    def checkpoints(self, tag: str, notebook: str | None = None, preset: str | None = None) -> str:
        """A checkpoint folder for one meta-training run of this notebook, or of notebook
        `notebook` (same seed), to resume a run another notebook made; at this notebook's preset
        or at `preset` (a run meta-trained with another preset's sizes)."""
        name = self.name if notebook is None else notebook
        preset = self.preset if preset is None else preset
        return str(self.checkpoint_dir / name / preset / f"seed{self.seed}" / tag)

    def finish(self) -> None:
        """Write the outputs record (what the batch checks); returns nothing, so that a
        notebook's last line shows no output."""
        record = {
            "notebook": self.name,
            "preset": self.preset,
            "seed": self.seed,
            "files": dict(sorted(self.written.items())),
        }
        if self.read:
            record["inputs"] = dict(sorted(self.read.items()))
        path = outputs_record(self.results_dir, self.name)
        io.write_bytes(path, (json.dumps(record, indent=2) + "\n").encode())


def start(
    name: str,
    *,
    preset: str,
    seed: int,
    results_dir: str = "results",
    figures_dir: str = "figures",
    checkpoint_dir: str = "checkpoints",
    extra: dict | None = None,
) -> Outputs:
    """Validate the common parameters (and `extra`: {name: (value, type[, choices])})."""
    check_param("preset", preset, str, PRESETS)
    check_seed(seed)
    for key, val in zip(DIR_PARAMS, (results_dir, figures_dir, checkpoint_dir), strict=True):
        check_param(key, val, str)
    for key, spec in (extra or {}).items():
        check_param(key, *spec)
    return Outputs(
        name=name,
        preset=preset,
        seed=seed,
        results_dir=Path(results_dir),
        figures_dir=Path(figures_dir),
        checkpoint_dir=Path(checkpoint_dir),
    )
