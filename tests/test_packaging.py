"""The package as pip builds it: what an installed symla_lite (Colab) carries."""

import subprocess
import sys
import zipfile
from pathlib import Path

from symla_lite import params_io
from symla_lite.experiments import tour

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_the_shipped_bandit_meta_parameters(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True, cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("symla_lite-*.whl")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(tmp_path / "site")
    folder = tmp_path / "site" / "symla_lite" / "shipped_bandit"
    assert Path(tour.SHIPPED) == ROOT / "symla_lite" / "shipped_bandit"
    for name in ("symla", "metarnn"):  # the installed copy loads as the clone's does
        installed = params_io.load_params(folder / f"{name}_bandit.npz")
        clone = tour.load_shipped(name)
        assert installed.meta == clone.meta and installed.agent == clone.agent
    assert (folder / "README.md").read_text() == (Path(tour.SHIPPED) / "README.md").read_text()
