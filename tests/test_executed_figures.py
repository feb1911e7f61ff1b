"""Every figure a notebook writes is shown inside its executed copy: for each PNG in a notebook's
outputs record, the executed notebook holds an image output with exactly those bytes."""

import base64
import hashlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RECORDS = sorted((ROOT / "results" / "outputs").glob("*.json"))


def shown_images(executed: Path) -> set[str]:
    """sha256 of every PNG image output of the executed notebook."""
    nb = json.loads(executed.read_text())
    found = set()
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {}).get("image/png")
            if data:
                raw = base64.b64decode("".join(data) if isinstance(data, list) else data)
                found.add(hashlib.sha256(raw).hexdigest())
    return found


@pytest.mark.parametrize("record", RECORDS, ids=[p.stem for p in RECORDS])
def test_every_recorded_figure_is_shown_in_the_executed_notebook(record):
    files = json.loads(record.read_text())["files"]
    pngs = {path: digest for path, digest in files.items() if path.endswith(".png")}
    executed = ROOT / "notebooks" / "executed" / f"{record.stem}.ipynb"
    assert executed.exists(), f"{record.stem}: no executed copy at {executed}"
    shown = shown_images(executed)
    missing = [path for path, digest in pngs.items() if digest not in shown]
    assert not missing, f"{record.stem}: figures not shown inline: {missing}"


def test_the_records_cover_every_executed_notebook():
    executed = {p.stem for p in (ROOT / "notebooks" / "executed").glob("*.ipynb")}
    assert {p.stem for p in RECORDS} == executed


def outputs_after_images(executed: Path) -> list[tuple[int, str | None]]:
    """For every image output: (cell index, the type of the next output below it, in its cell
    or the next code cell's first output; None if none)."""
    cells = json.loads(executed.read_text())["cells"]
    found = []
    for i, cell in enumerate(cells):
        outs = cell.get("outputs", [])
        for j, out in enumerate(outs):
            if "image/png" not in out.get("data", {}):
                continue
            below = outs[j + 1 :] or next(
                (c.get("outputs", []) for c in cells[i + 1 :] if c["cell_type"] == "code"), []
            )
            found.append((i, _kind(below[0]) if below else None))
    return found


def _kind(out: dict) -> str:
    data = out.get("data", {})
    return "markdown" if "text/markdown" in data else "image" if "image/png" in data else "other"


@pytest.mark.parametrize("record", RECORDS, ids=[p.stem for p in RECORDS])
def test_every_figure_has_words_under_it(record):
    """Item 1 of the Jupyter-first issue: under each figure, sentences that say what to look at
    (`symla_lite.captions` and the experiments' words, displayed as Markdown)."""
    executed = ROOT / "notebooks" / "executed" / f"{record.stem}.ipynb"
    bare = [i for i, kind in outputs_after_images(executed) if kind != "markdown"]
    assert not bare, f"{record.stem}: figures without words under them, in cells {bare}"
