"""The batch behind `./run_all.sh`: run every notebook with papermill, resumably, with provenance.

    python -m symla_lite.batch [--preset smoke|lite|paper] [--seed N] [--only NAME ...] [--force]
                               [-p NAME=VALUE ...] [--notebooks-dir DIR] [--results-dir DIR] ...

Each notebook `<notebooks-dir>/<name>.ipynb` runs in a fresh `python3` kernel with the repository root
as working directory, into `<executed-dir>/<name>.ipynb` (written under a temporary name and renamed
when the notebook has finished), its kernel output going to `<logs-dir>/<name>.log`.

A notebook is skipped (unless --force) when the manifest records a run with the same parameters whose
inputs (the notebook and every source file of the package, by sha256) are unchanged and whose executed
copy and outputs are all still there with the recorded sha256. Meta-training inside notebooks
checkpoints (TrainConfig(resume="auto")), so a batch interrupted by Ctrl-C or SIGTERM continues where it
stopped when run again.

`<results-dir>/manifest.json` holds, per notebook: preset, seed, parameters, wall time, git commit,
package versions, the device JAX ran on, and the sha256 of every file the notebook recorded writing
(`symla_lite.notebook.Outputs`, via `<results-dir>/outputs/<name>.json`).

One batch at a time may use a results folder: a batch holds `<results-dir>/.run_all.lock` (an
exclusive `flock`, released by the system even if the batch is killed; the file stays) while it
runs, and a second batch on the same results stops at once, before anything runs.

Exit status: 0 done, 1 a notebook failed, 2 bad input or another batch running (nothing was run),
130/143 interrupted.
"""

import argparse
import ast
import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from symla_lite import io
from symla_lite.presets import PRESETS

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(__file__).resolve().parent
KERNEL = "python3"
DIR_PARAMS = ("results_dir", "figures_dir", "checkpoint_dir")
REQUIRED_PARAMS = ("preset", "seed", *DIR_PARAMS)
VERSIONED = ("jax", "jaxlib", "flax", "evosax", "gymnax", "optax", "numpy", "papermill")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class BadInput(ValueError):
    """Bad command-line input, found before anything ran."""


class NotebookFailed(RuntimeError):
    pass


# ---------------------------------------------------------------------------------------------
# Notebooks and their parameters


@dataclass
class Notebook:
    name: str
    path: Path
    defaults: dict  # parameter -> default value (or ... where the default is not a literal)
    params: dict = field(default_factory=dict)  # what this batch passes to papermill


def read_parameters(path: Path) -> dict:
    """The parameters cell of a notebook as {name: default}; enforces the notebook conventions."""
    nb = json.loads(path.read_text())
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != KERNEL:
        raise BadInput(f"notebook {path}: kernelspec name must be {KERNEL!r}, got {kernel!r}")
    cells = [
        c
        for c in nb.get("cells", [])
        if c.get("cell_type") == "code" and "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    if len(cells) != 1:
        raise BadInput(
            f"notebook {path}: needs exactly one cell tagged 'parameters', has {len(cells)}"
        )
    src = cells[0]["source"]
    src = "".join(src) if isinstance(src, list) else src
    defaults = {}
    for node in ast.parse(src).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    defaults[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    defaults[target.id] = ...
    missing = [p for p in REQUIRED_PARAMS if p not in defaults]
    if missing:
        raise BadInput(f"notebook {path}: its parameters cell lacks {missing}")
    return defaults


def discover(notebooks_dir: Path) -> dict[str, Path]:
    if not notebooks_dir.is_dir():
        raise BadInput(f"no notebooks folder {notebooks_dir}")
    return {p.stem: p for p in sorted(notebooks_dir.glob("*.ipynb"))}


def select(available: dict[str, Path], only: list[str] | None) -> list[str]:
    if not only:
        return list(available)
    unknown = [n for n in only if n not in available]
    if unknown:
        raise BadInput(
            f"unknown notebook(s) {unknown}; choose from {list(available) or '(none found)'}"
        )
    return [n for n in available if n in only]


def parse_value(text: str):
    """`-p` values are Python literals (1, 0.5, [1, 2], None, 'x'); anything else is a string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def type_ok(value, default) -> bool:
    if default is None or default is ...:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return type(value) is type(default)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))


def plan_parameters(notebooks: list[Notebook], common: dict, extra: dict) -> None:
    """Fill each notebook's papermill parameters; unknown names or wrong types raise BadInput."""
    reserved = [k for k in extra if k in REQUIRED_PARAMS]
    if reserved:
        raise BadInput(f"set {reserved} with the options --preset, --seed, --results-dir, ...")
    for name, value in extra.items():
        users = [nb for nb in notebooks if name in nb.defaults]
        if not users:
            valid = sorted({k for nb in notebooks for k in nb.defaults} - set(REQUIRED_PARAMS))
            raise BadInput(
                f"unknown parameter {name!r}: no selected notebook has it; valid parameters: {valid}"
            )
        for nb in users:
            default = nb.defaults[name]
            if not type_ok(value, default):
                raise BadInput(
                    f"parameter {name!r} of notebook {nb.name!r} must be {type(default).__name__} "
                    f"(its default is {default!r}), got {value!r} ({type(value).__name__})"
                )
    for nb in notebooks:
        nb.params = {**common, **{k: v for k, v in extra.items() if k in nb.defaults}}


# ---------------------------------------------------------------------------------------------
# Provenance and staleness


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def package_digest() -> str:
    """sha256 over the package's source files (names and contents)."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def inputs_digest(nb_path: Path, pkg: str) -> str:
    return hashlib.sha256(pkg.encode() + Path(nb_path).read_bytes()).hexdigest()


def show(path: Path) -> str:
    """A path relative to the repository root when it lies inside it."""
    path = Path(path).absolute()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def resolve(path) -> Path:
    return ROOT / path  # absolute paths stay absolute; relative ones are relative to the root


def git_commit() -> dict:
    def git(*args):
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def versions() -> dict:
    out = {"python": platform.python_version()}
    for pkg in VERSIONED:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


_DEVICE_PROBE = """
import json, symla_lite, jax  # symla_lite first: it sets the CPU device count, as in the kernel
d = jax.devices()
print(json.dumps({"backend": jax.default_backend(), "count": len(d),
                  "kind": d[0].device_kind, "devices": [str(x) for x in d]}))
"""


def jax_device() -> dict:
    """The devices JAX uses in this environment (probed in a subprocess, as the kernel sees them,
    so that this process holds no accelerator memory)."""
    out = subprocess.run(
        [sys.executable, "-c", _DEVICE_PROBE], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1:]}
    info = json.loads(out.stdout.strip().splitlines()[-1])
    info["machine"] = machine()
    return info


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"system": platform.system(), "cpu": cpu, "cpu_count": os.cpu_count()}


def load_manifest(path: Path) -> dict:
    if not path.exists():
        return {"notebooks": {}}
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise BadInput(f"{path} is not valid JSON ({e}); delete it to start afresh") from e
    manifest.setdefault("notebooks", {})
    return manifest


def save_manifest(path: Path, manifest: dict) -> None:
    manifest["notebooks"] = dict(sorted(manifest["notebooks"].items()))
    io.write_bytes(path, (json.dumps(manifest, indent=2) + "\n").encode())


def staleness(entry: dict | None, nb: Notebook, executed: Path, record: Path, digest: str):
    """None if the recorded run is up to date, else the reason to run the notebook."""
    if entry is None:
        return "not run yet"
    if entry.get("parameters") != nb.params:
        return "last run had other parameters"
    if entry.get("inputs_digest") != f"sha256:{digest}":
        return "the notebook or the package changed since the last run"
    executed_sha = entry.get("executed_sha256", {}).get(show(executed))
    if not executed.exists() or sha256_file(executed) != executed_sha:
        return "executed copy missing or changed"
    if not record.exists():
        return "outputs record missing"
    for path, sha in entry.get("files", {}).items():
        full = resolve(path)
        if not full.exists() or sha256_file(full) != sha:
            return f"output {path} missing or changed"
    return None


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


# ---------------------------------------------------------------------------------------------
# Running one notebook


class Live:
    """A live progress line on a terminal (cell counter, elapsed time, the kernel's last line);
    plain start and end lines otherwise."""

    def __init__(self, prefix: str, stream=None):
        self.prefix, self.stream = prefix, stream or sys.stdout
        self.tty = self.stream.isatty()
        self.cell, self.kernel = "", ""
        self.t0 = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True) if self.tty else None

    def __enter__(self):
        if self._thread:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread:
            self._thread.join()
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def _loop(self):
        while not self._stop.wait(0.5):
            s = int(self.elapsed())
            text = f"{self.prefix}  {self.cell}  {s // 60}:{s % 60:02d}  {self.kernel}"
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self.stream.write("\r" + text[:width] + "\x1b[K")
            self.stream.flush()


class _CellCounter:
    """A file for papermill's tqdm bar: keeps its last rendering ("cell 3/12")."""

    def __init__(self, live: Live):
        self.live = live

    def write(self, s: str):
        s = s.strip("\r\n ")
        if s:
            self.live.cell = s

    def flush(self):
        pass


class _KernelLog:
    """A file for the kernel's stdout/stderr: writes the log, keeps the last line for the display."""

    def __init__(self, f, live: Live):
        self.f, self.live = f, live

    def write(self, s: str):
        self.f.write(s)
        lines = [x.strip() for x in re.split(r"[\r\n]", ANSI.sub("", s)) if x.strip()]
        if lines:
            self.live.kernel = lines[-1]

    def flush(self):
        self.f.flush()


def _kill_kernels() -> None:
    """Stop the kernels this process started (each leads its own process group)."""
    me = str(os.getpid())
    proc = Path("/proc")
    if not proc.is_dir():
        return  # elsewhere the kernel notices its parent is gone and exits by itself
    for p in proc.iterdir():
        if not p.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError):
            if (p / "stat").read_text().rsplit(")", 1)[1].split()[1] == me:
                pid = int(p.name)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL) if os.getpgid(pid) == pid else os.kill(
                        pid, signal.SIGKILL
                    )


def run_notebook(nb: Notebook, executed: Path, log_path: Path, prefix: str) -> float:
    """Execute one notebook; returns its wall time. Raises NotebookFailed with the details."""
    import papermill

    executed.parent.mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    partial = executed.with_name(f".{nb.name}.partial.ipynb")
    with log_path.open("w") as logf, Live(prefix) as live:
        logf.write(f"# {show(nb.path)} with parameters {json.dumps(nb.params)}\n")
        logf.flush()
        kernel_log = _KernelLog(logf, live)
        bar = dict(desc="cell", bar_format="{desc} {n_fmt}/{total_fmt}", file=_CellCounter(live))
        try:
            papermill.execute_notebook(
                str(nb.path),
                str(partial),
                parameters=nb.params,
                kernel_name=KERNEL,
                cwd=str(ROOT),
                progress_bar=bar,
                stdout_file=kernel_log,
                stderr_file=kernel_log,
            )
        except papermill.PapermillExecutionError as e:
            failed = log_path.with_name(f"{nb.name}.failed.ipynb")
            with contextlib.suppress(OSError):
                os.replace(partial, failed)
            tb = ANSI.sub("", "\n".join(e.traceback))
            logf.write(f"\n# FAILED in cell {e.cell_index} ({e.exec_count}):\n{tb}\n")
            lines = e.source.splitlines()
            src = "\n".join("    " + x for x in lines[:30]) + (
                "\n    ..." if len(lines) > 30 else ""
            )
            raise NotebookFailed(
                f"notebook {nb.name!r} ({show(nb.path)}) failed in cell {e.cell_index} "
                f"(execution count {e.exec_count}):\n{src}\n{e.ename}: {e.evalue}\n"
                f"log: {show(log_path)}; the notebook with its error: {show(failed)}"
            ) from None
        except BaseException:
            _kill_kernels()
            with contextlib.suppress(OSError):
                partial.unlink()
            raise
        os.replace(partial, executed)
        return live.elapsed()


# ---------------------------------------------------------------------------------------------
# The batch


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="run_all.sh", description="Run every notebook with papermill (resumable)."
    )
    ap.add_argument("--preset", default="lite", choices=PRESETS, help="default: lite")
    ap.add_argument("--seed", type=int, default=0, help="default: 0")
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
    ap.add_argument("--executed-dir", default=None, help="default: <notebooks-dir>/executed")
    ap.add_argument("--logs-dir", default="logs")
    ap.add_argument("--results-dir", default="results")
    ap.add_argument("--figures-dir", default="figures")
    ap.add_argument("--checkpoint-dir", default="checkpoints")
    args = ap.parse_args(argv)
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
    executed_dir = resolve(args.executed_dir) if args.executed_dir else notebooks_dir / "executed"
    logs_dir = resolve(args.logs_dir)
    results_dir = resolve(args.results_dir)
    available = discover(notebooks_dir)
    names = select(available, args.only)
    notebooks = [Notebook(n, available[n], read_parameters(available[n])) for n in names]
    common = dict(
        preset=args.preset,
        seed=args.seed,
        results_dir=args.results_dir,
        figures_dir=args.figures_dir,
        checkpoint_dir=args.checkpoint_dir,
    )
    plan_parameters(notebooks, common, args.extra)

    with contextlib.nullcontext() if args.list else batch_lock(results_dir):
        return _run(args, notebooks, notebooks_dir, executed_dir, logs_dir, results_dir)


def _run(args, notebooks, notebooks_dir, executed_dir, logs_dir, results_dir) -> int:
    manifest_path = results_dir / "manifest.json"
    manifest = load_manifest(manifest_path)
    pkg = package_digest()
    todo = []
    for nb in notebooks:
        digest = inputs_digest(nb.path, pkg)
        executed = executed_dir / f"{nb.name}.ipynb"
        record = results_dir / "outputs" / f"{nb.name}.json"
        entry = manifest["notebooks"].get(nb.name)
        reason = staleness(entry, nb, executed, record, digest)
        if args.force and reason is None:
            reason = "--force"
        todo.append((nb, digest, executed, record, reason))
    if args.list:
        for nb, *_, reason in todo:
            print(f"{nb.name:24s} {'up to date' if reason is None else 'to run: ' + reason}")
        return 0
    if not notebooks:
        print(f"run_all: no notebooks in {show(notebooks_dir)}")
        return 0

    received = {}

    def on_signal(signum, frame):
        received["signal"] = signum
        raise KeyboardInterrupt

    # SIGINT too: papermill's asyncio loop would otherwise turn Ctrl-C into a cancelled cell and
    # carry on with the notebook.
    old = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    provenance = None
    n = len(todo)
    try:
        for i, (nb, digest, executed, record, reason) in enumerate(todo, 1):
            prefix = f"[{i}/{n}] {nb.name}"
            if reason is None:
                print(f"{prefix}: up to date, skipped (--force to re-run)", flush=True)
                continue
            if provenance is None:
                provenance = {"git": git_commit(), "versions": versions(), "device": jax_device()}
            log_path = logs_dir / f"{nb.name}.log"
            print(f"{prefix}: running ({reason}; preset {args.preset}, log {show(log_path)})")
            sys.stdout.flush()
            with contextlib.suppress(FileNotFoundError):
                record.unlink()  # so that a record found afterwards is this run's
            started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
            try:
                wall = run_notebook(nb, executed, log_path, prefix)
            except NotebookFailed as e:
                print(f"{prefix}: FAILED\n{e}", file=sys.stderr)
                return 1
            if not record.exists():
                print(
                    f"{prefix}: FAILED\nnotebook {nb.name!r} finished without writing "
                    f"{show(record)}: it must end with out.finish()",
                    file=sys.stderr,
                )
                return 1
            files = json.loads(record.read_text())["files"]
            for path, sha in files.items():
                if sha256_file(resolve(path)) != sha:
                    print(f"{prefix}: FAILED\n{path} changed after the notebook wrote it")
                    return 1
            manifest = load_manifest(manifest_path)  # re-read: keep entries written meanwhile
            manifest["notebooks"][nb.name] = {
                "notebook": show(nb.path),
                "executed": show(executed),
                "log": show(log_path),
                "preset": args.preset,
                "seed": args.seed,
                "parameters": nb.params,
                "started_utc": started,
                "wall_time_s": round(wall, 1),
                **provenance,
                # Only files are keyed by their path with a bare sha256, so that a reader can
                # check every such pair against the tree; the inputs digest is not a file.
                "inputs_digest": f"sha256:{digest}",
                "executed_sha256": {show(executed): sha256_file(executed)},
                "outputs_record": show(record),
                "files": files,
            }
            save_manifest(manifest_path, manifest)
            print(f"{prefix}: done in {wall:.1f} s ({len(files)} files)", flush=True)
    except KeyboardInterrupt:
        signum = received.get("signal", signal.SIGINT)
        print(
            f"\nrun_all: interrupted ({signal.Signals(signum).name}); finished notebooks and "
            "meta-training checkpoints are kept: run it again to continue",
            file=sys.stderr,
        )
        return 128 + signum
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    print(f"run_all: all {n} notebook(s) up to date; manifest: {show(manifest_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
