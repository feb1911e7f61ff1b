"""Files written whole or not at all: write to a temporary file beside the target, then rename."""

import contextlib
import os
import pickle
import re
import secrets
from pathlib import Path

import numpy as np


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside `path`; on success rename it to `path`, else delete it.

    with atomic_path("results/x.csv") as tmp: df.to_csv(tmp)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_file_beside(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


# The name `_new_file_beside` gives a temporary file: .<stem>.<8 hex digits><suffix>
TEMPORARY = re.compile(r"\..+\.[0-9a-f]{8}(\.[^.]+)?")


def remove_temporaries(folder) -> list[Path]:
    """Delete the temporary files of atomic writes below `folder` (a writer killed mid-write, by
    SIGKILL, cannot delete its own); returns them. Only for folders no live process writes to."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [p for p in folder.rglob(".*") if p.is_file() and TEMPORARY.fullmatch(p.name)]
    for p in found:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    return found


def _new_file_beside(path: Path) -> Path:
    """A new empty file `.<stem>.<random><suffix>` beside `path`.

    Created with mode 0o666, which the system narrows by the umask as for any new file (so a
    result file is as readable as one written in place; mkstemp would give 0o600).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}{path.suffix}")
        try:
            os.close(os.open(tmp, flags, 0o666))
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"no free temporary name beside {path}")


def write_bytes(path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_csv(df, path) -> None:
    """Write a DataFrame as CSV atomically (no index)."""
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)


def save_figure(fig, path_stem) -> list[Path]:
    """Save a matplotlib figure as PNG and PDF atomically; returns the two paths."""
    paths = []
    for ext in ("png", "pdf"):
        path = Path(f"{path_stem}.{ext}")
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=ext, bbox_inches="tight", dpi=120, metadata=_fig_metadata(ext))
        paths.append(path)
    return paths


def _fig_metadata(ext: str) -> dict:
    # Fixed metadata so that the same figure gives the same bytes run after run.
    if ext == "pdf":
        return {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}
    return {"Software": None}


def to_numpy(tree):
    """The arrays of a pytree as numpy arrays (fetched from the device)."""
    import jax  # here, so that writing files needs no JAX

    return jax.tree.map(np.asarray, jax.device_get(tree))


def save_pickle(path, obj) -> None:
    write_bytes(path, pickle.dumps(to_numpy(obj), protocol=pickle.HIGHEST_PROTOCOL))


def load_pickle(path):
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    with path.open("rb") as f:
        return pickle.load(f)
