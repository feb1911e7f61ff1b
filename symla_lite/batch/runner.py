"""Executing one notebook: papermill into a partial copy, its log, its failure report, its kernel.

The notebook runs in a fresh `python3` kernel with the repository root as working directory, into a
temporary copy renamed to `<executed-dir>/<name>.ipynb` when it has finished. Everything the kernel
says goes to `<logs-dir>/<name>.log`: its cells' output, and the kernel process's own stdout and
stderr (ipykernel's warnings; its errors when it is stopped mid-cell).
"""

import contextlib
import json
import logging
import os
import signal
import time
from pathlib import Path

from symla_lite.batch.contract import (
    DIR_PARAMS,
    KERNEL,
    PLAIN_PROGRESS,
    ROOT,
    resolve,
    sha256_file,
    show,
)
from symla_lite.batch.display import ANSI, CellCounter, KernelLog, Live
from symla_lite.io import remove_temporaries

# Loggers that report on the kernel and the event loop that talks to it; an interrupted batch
# mutes them, since what they would say then is about the kernel the batch itself stopped.
LOGGERS = ("papermill", "nbclient", "traitlets", "asyncio")


class NotebookFailed(RuntimeError):
    pass


def run_notebook(nb, executed: Path, log_path: Path, prefix: str) -> float:
    """Execute one notebook (a plan.Notebook); returns its wall time. Raises NotebookFailed with
    the details."""
    import papermill
    from nbclient.exceptions import DeadKernelError

    executed.parent.mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    partial = executed.with_name(f".{nb.name}.partial.ipynb")
    with log_path.open("w") as logf, Live(prefix) as live:
        logf.write(f"# {show(nb.path)} with parameters {json.dumps(nb.params)}\n")
        logf.flush()
        try:
            _execute(nb, partial, logf, live)
        except papermill.PapermillExecutionError as e:
            raise _failure(nb, e, partial, log_path, logf) from None
        except DeadKernelError:
            kill_kernels()
            raise _died(nb, partial, log_path) from None
        except BaseException:
            kill_kernels()
            with contextlib.suppress(OSError):
                partial.unlink()
            for key in DIR_PARAMS:  # what the killed kernel was writing when it died
                remove_temporaries(resolve(nb.params[key]))
            raise
        os.replace(partial, executed)
        return live.elapsed()


def _execute(nb, partial: Path, logf, live: Live) -> None:
    import papermill

    kernel_log = KernelLog(logf, live)
    bar = dict(desc="cell", bar_format="{desc} {n_fmt}/{total_fmt}", file=CellCounter(live))
    papermill.execute_notebook(
        str(nb.path),
        str(partial),
        parameters=nb.params,
        kernel_name=KERNEL,
        cwd=str(ROOT),
        progress_bar=bar,
        stdout_file=kernel_log,
        stderr_file=kernel_log,
        kernel_manager_class=_kernel_manager_logging_to(logf),
    )


def _kernel_manager_logging_to(logf) -> type:
    """nbclient's kernel manager, starting the kernel process with its stdout and stderr in `logf`
    (otherwise they are this process's: the terminal)."""
    from jupyter_client import AsyncKernelManager

    class KernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            logf.flush()  # the log's header first; the kernel shares the file's offset
            env = {**os.environ, PLAIN_PROGRESS: "1"}
            return await super().start_kernel(**{"stdout": logf, "stderr": logf, "env": env, **kw})

    return KernelManager


def _failure(nb, e, partial: Path, log_path: Path, logf) -> NotebookFailed:
    """The error for a notebook whose cell raised `e`; keeps the notebook beside its log."""
    failed = _keep_failed(nb, partial, log_path)
    tb = ANSI.sub("", "\n".join(e.traceback))
    logf.write(f"\n# FAILED in cell {e.cell_index} ({e.exec_count}):\n{tb}\n")
    lines = e.source.splitlines()
    src = "\n".join("    " + x for x in lines[:30]) + ("\n    ..." if len(lines) > 30 else "")
    return NotebookFailed(
        f"notebook {nb.name!r} ({show(nb.path)}) failed in cell {e.cell_index} "
        f"(execution count {e.exec_count}):\n{src}\n{e.ename}: {e.evalue}\n"
        f"log: {show(log_path)}; the notebook with its error: {show(failed)}"
    )


def _died(nb, partial: Path, log_path: Path) -> NotebookFailed:
    """The error for a notebook whose kernel died; keeps the notebook beside its log."""
    failed = _keep_failed(nb, partial, log_path)
    return NotebookFailed(
        f"notebook {nb.name!r} ({show(nb.path)}): its kernel died (what it said last is at the "
        f"end of its log)\nlog: {show(log_path)}; the notebook as far as it ran: {show(failed)}"
    )


def _keep_failed(nb, partial: Path, log_path: Path) -> Path:
    """Move the notebook as far as it ran to `<logs-dir>/<name>.failed.ipynb`."""
    failed = log_path.with_name(f"{nb.name}.failed.ipynb")
    with contextlib.suppress(OSError):
        os.replace(partial, failed)
    return failed


def recorded_files(name: str, record: Path) -> tuple[dict, dict]:
    """The files a finished notebook recorded writing and reading (two {path: sha256}), the
    written ones checked against the tree."""
    if not record.exists():
        raise NotebookFailed(
            f"notebook {name!r} finished without writing {show(record)}: it must end with "
            "out.finish()"
        )
    data = json.loads(record.read_text())
    files = data["files"]
    for path, sha in files.items():
        if sha256_file(resolve(path)) != sha:
            raise NotebookFailed(f"{path} changed after the notebook wrote it")
    return files, data.get("inputs", {})


def mute() -> None:
    """Silence the kernel's clients for the rest of this process (once the batch is interrupted:
    they would report the kernel it stops, and tasks left waiting on that kernel)."""
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def kill_kernels(wait_s: float = 10.0) -> None:
    """Stop the kernels this process started (each leads its own process group), and wait until
    they run no more (dead or a zombie), at most `wait_s`."""
    me = str(os.getpid())
    proc = Path("/proc")
    if not proc.is_dir():
        return  # elsewhere the kernel notices its parent is gone and exits by itself
    killed = []
    for p in proc.iterdir():
        if not p.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError):
            if _stat(p)[1] == me:
                _kill(int(p.name))
                killed.append(p)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and any(_running(p) for p in killed):
        time.sleep(0.01)


def _stat(p: Path) -> list[str]:
    """/proc/<pid>/stat after the command name: state, parent pid, ..."""
    return (p / "stat").read_text().rsplit(")", 1)[1].split()


def _running(p: Path) -> bool:
    try:
        return _stat(p)[0] != "Z"
    except (OSError, IndexError):
        return False


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
