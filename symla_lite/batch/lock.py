"""One batch at a time per results folder: an exclusive `flock` on `<results-dir>/.run_all.lock`.

The system releases the lock even if the batch is killed; the file stays (removing it could let two
batches lock different files).
"""

import contextlib
import fcntl
import os
from pathlib import Path

from symla_lite.batch.contract import BadInput, show


@contextlib.contextmanager
def batch_lock(results_dir: Path):
    """Hold `<results_dir>/.run_all.lock` for the duration; BadInput if another batch holds it."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / ".run_all.lock"
    f = path.open("a+")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.seek(0)
        holder = f.read().strip() or "?"
        f.close()
        raise BadInput(
            f"another batch (pid {holder}) is running on {show(results_dir)}: wait for it to end "
            f"or stop it (it holds {show(path)})"
        ) from None
    try:
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        yield
    finally:
        f.close()  # the file stays: removing it could let two batches lock different files
