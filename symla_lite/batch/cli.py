"""The batch's command line: its options, and the loop that runs the notebooks due, in order."""

import argparse
import contextlib
import datetime
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from symla_lite.batch.contract import (
    DIR_PARAMS,
    SEED_MAX,
    BadInput,
    read_parameters,
    resolve,
    show,
)
from symla_lite.batch.lock import batch_lock
from symla_lite.batch.manifest import load_manifest, provenance, run_entry, save_manifest
from symla_lite.batch.plan import (
    Notebook,
    Task,
    discover,
    parse_value,
    plan_parameters,
    plan_tasks,
    select,
)
from symla_lite.batch.runner import NotebookFailed, mute, recorded_files, run_notebook
from symla_lite.batch.validate import check
from symla_lite.presets import PRESETS

COMPILATION_CACHE = "jax_cache"  # a folder of --checkpoint-dir
# The batch's output folders at lite (the committed ones; executed: <notebooks-dir>/executed);
# another preset's default is a sub-folder named after it (results/standard, ...), so that no
# preset overwrites another's results. Checkpoints are kept per preset inside one folder
# (notebook.Outputs).
OUTPUT_DIRS = ("logs", "results", "figures")


def per_preset(folder, preset: str) -> str:
    """`folder` at lite, `folder`/`preset` at any other preset."""
    return str(folder) if preset == "lite" else str(Path(folder) / preset)


@dataclass
class Batch:
    """One invocation: its options, its folders, and the provenance found before its first run."""

    args: argparse.Namespace
    dirs: dict  # notebooks, executed, logs, results: absolute paths
    provenance: dict | None = None
    device: dict | None = None  # the devices the validate check saw (`manifest.device_info`)

    @property
    def manifest_path(self) -> Path:
        return self.dirs["results"] / "manifest.json"


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 0 <= seed <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"must be between 0 and {SEED_MAX}, got {seed}")
    return seed


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="run_all.sh",
        description="Run every notebook with papermill (resumable). Before the first runs, every "
        "notebook due checks the values it is given (its `validate` cell): a rejected value stops "
        "the batch with exit status 2 and that notebook's message.",
    )
    ap.add_argument("--preset", default="lite", choices=PRESETS, help="default: lite")
    ap.add_argument("--seed", type=_seed, default=0, help="default: 0")
    ap.add_argument("--only", nargs="+", action="extend", metavar="NAME", help="run these only")
    ap.add_argument("--force", action="store_true", help="run even notebooks that are up to date")
    ap.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a notebook parameter (a Python literal), passed to every notebook that has it",
    )
    ap.add_argument("--list", action="store_true", help="list the notebooks and their state")
    ap.add_argument("--notebooks-dir", default="notebooks")
    where = "<notebooks-dir>/executed"
    ap.add_argument("--executed-dir", help=f"default: {where} (lite), {where}/PRESET (others)")
    for name in OUTPUT_DIRS:
        ap.add_argument(f"--{name}-dir", help=f"default: {name} (lite), {name}/PRESET (others)")
    ap.add_argument("--checkpoint-dir", default="checkpoints", help="shared by every preset")
    args = ap.parse_args(argv)
    for name in OUTPUT_DIRS:
        if getattr(args, f"{name}_dir") is None:
            setattr(args, f"{name}_dir", per_preset(name, args.preset))
    extra = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not name.isidentifier():
            ap.error(f"argument -p/--param: expected NAME=VALUE, got {item!r}")
        extra[name] = parse_value(value)
    args.extra = extra
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        return _main(args)
    except BadInput as e:
        print(f"run_all: {e}", file=sys.stderr)
        return 2


def _main(args) -> int:
    notebooks_dir = resolve(args.notebooks_dir)
    executed_dir = (
        resolve(args.executed_dir)
        if args.executed_dir
        else resolve(per_preset(notebooks_dir / "executed", args.preset))
    )
    dirs = dict(
        notebooks=notebooks_dir,
        executed=executed_dir,
        logs=resolve(args.logs_dir),
        results=resolve(args.results_dir),
    )
    available = discover(notebooks_dir)
    names = select(available, args.only)
    notebooks = [Notebook(n, available[n], read_parameters(available[n])) for n in names]
    common = {"preset": args.preset, "seed": args.seed, **{k: getattr(args, k) for k in DIR_PARAMS}}
    plan_parameters(notebooks, common, args.extra)

    # The kernels share one JAX compilation cache beside the checkpoints: a program that several
    # notebooks, or a rerun, compile again is read back (the same program: results do not change).
    os.environ.setdefault(
        "JAX_COMPILATION_CACHE_DIR", str(resolve(args.checkpoint_dir) / COMPILATION_CACHE)
    )
    with contextlib.nullcontext() if args.list else batch_lock(dirs["results"]):
        return _run(Batch(args, dirs), notebooks)


def _run(batch: Batch, notebooks: list[Notebook]) -> int:
    manifest = load_manifest(batch.manifest_path)
    tasks = plan_tasks(notebooks, manifest, batch.dirs, force=batch.args.force)
    if batch.args.list:
        for task in tasks:
            state = "up to date" if task.reason is None else "to run: " + task.reason
            print(f"{task.nb.name:24s} {state}")
        return 0
    if not notebooks:
        print(f"run_all: no notebooks in {show(batch.dirs['notebooks'])}")
        return 0
    with _signals_interrupt() as received:
        try:
            _check(batch, tasks)
            failed = _run_tasks(batch, tasks)
        except KeyboardInterrupt:
            signum = received.get("signal", signal.SIGINT)
            print(
                f"\nrun_all: interrupted ({signal.Signals(signum).name}); finished notebooks and "
                "meta-training checkpoints are kept: run it again to continue",
                file=sys.stderr,
            )
            return 128 + signum
    if failed:
        return 1
    print(
        f"run_all: all {len(tasks)} notebook(s) up to date; manifest: {show(batch.manifest_path)}"
    )
    return 0


@contextlib.contextmanager
def _signals_interrupt():
    """SIGTERM and SIGINT raise KeyboardInterrupt while in the block; yields {"signal": signum}.

    SIGINT too: papermill's asyncio loop would otherwise turn Ctrl-C into a cancelled cell and
    carry on with the notebook. The kernel's clients are muted first: what they would report then
    is the kernel that the batch stops.
    """
    received = {}

    def on_signal(signum, frame):
        received["signal"] = signum
        mute()
        raise KeyboardInterrupt

    old = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield received
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _check(batch: Batch, tasks: list[Task]) -> None:
    """The notebooks due check their parameter values with their own validate cells, before the
    first runs (BadInput if one rejects them); the check's subprocess also reports the devices
    (`batch.device`)."""
    due = [task.nb for task in tasks if task.reason is not None]
    if due:
        seconds, batch.device = check(due)
        print(
            f"run_all: the parameters of {len(due)} notebook(s) pass their own checks "
            f"({seconds:.1f} s)",
            flush=True,
        )


def _run_tasks(batch: Batch, tasks: list[Task]) -> bool:
    """Run the notebooks due, in order; True if one failed (the batch stops there)."""
    for i, task in enumerate(tasks, 1):
        prefix = f"[{i}/{len(tasks)}] {task.nb.name}"
        if task.reason is None:
            print(f"{prefix}: up to date, skipped (--force to re-run)", flush=True)
        elif not _run_task(batch, task, prefix):
            return True
    return False


def _run_task(batch: Batch, task: Task, prefix: str) -> bool:
    """Run one notebook and record it in the manifest; False (and why, on stderr) if it failed."""
    if batch.provenance is None:
        batch.provenance = provenance(batch.device)
    nb = task.nb
    log_path = batch.dirs["logs"] / f"{nb.name}.log"
    print(f"{prefix}: running ({task.reason}; preset {batch.args.preset}, log {show(log_path)})")
    sys.stdout.flush()
    with contextlib.suppress(FileNotFoundError):
        task.record.unlink()  # so that a record found afterwards is this run's
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    try:
        wall = run_notebook(nb, task.executed, log_path, prefix)
        files, inputs = recorded_files(nb.name, task.record)
    except NotebookFailed as e:
        print(f"{prefix}: FAILED\n{e}", file=sys.stderr)
        return False
    manifest = load_manifest(batch.manifest_path)  # re-read: keep entries written meanwhile
    manifest["notebooks"][nb.name] = run_entry(
        task, log_path, started, wall, batch.provenance, files, inputs
    )
    save_manifest(batch.manifest_path, manifest)
    print(f"{prefix}: done in {wall:.1f} s ({len(files)} files)", flush=True)
    return True
