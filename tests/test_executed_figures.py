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
