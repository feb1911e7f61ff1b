"""Atomic writes: whole files with the mode the umask gives any new file, no temporary left."""

import os

import pandas as pd
import pytest

from symla_lite import io


@pytest.fixture
def umask():
    """set(mask): the process umask for the test, restored afterwards."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_have_the_umask_mode(tmp_path, umask, mask, mode):
    umask(mask)
    io.write_csv(pd.DataFrame({"a": [1, 2]}), tmp_path / "out" / "x.csv")
    io.write_bytes(tmp_path / "y.bin", b"y")
    for path in (tmp_path / "out" / "x.csv", tmp_path / "y.bin"):
        assert path.stat().st_mode & 0o777 == mode
    assert (tmp_path / "out" / "x.csv").read_text() == "a\n1\n2\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["out", "x.csv", "y.bin"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "x.bin"
    io.write_bytes(path, b"old")
    with pytest.raises(RuntimeError), io.atomic_path(path) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["x.bin"]


def test_remove_temporaries_deletes_only_what_atomic_writes_leave(tmp_path):
    keep = [tmp_path / "a.csv", tmp_path / ".hidden", tmp_path / "sub" / ".x.partial.ipynb"]
    for p in keep:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    left = io._new_file_beside(tmp_path / "sub" / "checkpoint.pkl")  # as a killed writer leaves it
    other = io._new_file_beside(tmp_path / "fig.png")
    assert sorted(io.remove_temporaries(tmp_path)) == sorted([left, other])
    assert all(p.exists() for p in keep) and not left.exists() and not other.exists()
    assert io.remove_temporaries(tmp_path / "missing") == []
