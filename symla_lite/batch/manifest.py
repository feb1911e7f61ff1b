"""Provenance and staleness: results/manifest.json, what it records of a run and when a run is stale.

`<results-dir>/manifest.json` holds, per notebook: preset, seed, parameters, wall time, git commit,
package versions, the device JAX ran on, and the sha256 of every file the notebook recorded writing.
A recorded run is up to date while its parameters, its inputs (the notebook and every source file of
the package) and its executed copy and outputs are all unchanged.
"""

import contextlib
import hashlib
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from symla_lite import io
from symla_lite.batch.contract import ROOT, BadInput, resolve, sha256_file, show

PACKAGE = ROOT / "symla_lite"
VERSIONED = ("jax", "jaxlib", "flax", "evosax", "gymnax", "optax", "numpy", "papermill")


def package_digest() -> str:
    """sha256 over the package's source files (names and contents)."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def inputs_digest(nb_path: Path, pkg: str) -> str:
    return hashlib.sha256(pkg.encode() + Path(nb_path).read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Provenance


def provenance(device: dict | None = None) -> dict:
    """What the manifest records of the environment a batch runs in (`device`: as `jax_device`
    takes it)."""
    return {"git": git_commit(), "versions": versions(), "device": jax_device(device)}


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


def device_info() -> dict:
    """The devices JAX uses in this process: backend, count, kind, devices. Imports JAX (and
    symla_lite first: it sets the CPU device count, as in the kernel), so it runs only in a
    subprocess: the validate check's (`validate.main`) or `jax_device`'s."""
    import jax

    import symla_lite  # noqa: F401

    d = jax.devices()
    return {"backend": jax.default_backend(), "count": len(d), "kind": d[0].device_kind,
            "devices": [str(x) for x in d]}  # fmt: skip


_DEVICE_PROBE = (
    "import json; from symla_lite.batch.manifest import device_info; "
    "print(json.dumps(device_info()))"
)


def jax_device(probed: dict | None = None) -> dict:
    """The devices JAX uses in this environment, as the kernel sees them: `probed` (what the
    validate check's subprocess reported, `device_info`) or probed in a subprocess of its own,
    so that this process holds no accelerator memory and needs no JAX; with `machine()`."""
    if probed is None:
        out = subprocess.run(
            [sys.executable, "-c", _DEVICE_PROBE], cwd=ROOT, capture_output=True, text=True,
            check=False,
        )  # fmt: skip
        if out.returncode != 0:
            return {"error": out.stderr.strip().splitlines()[-1:]}
        probed = json.loads(out.stdout.strip().splitlines()[-1])
    return {**probed, "machine": machine()}


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"system": platform.system(), "cpu": cpu, "cpu_count": os.cpu_count()}


# ---------------------------------------------------------------------------------------------
# The manifest


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


def run_entry(
    task, log_path: Path, started: str, wall: float, prov: dict, files: dict, inputs: dict
) -> dict:
    """The manifest's entry for a finished run of `task` (a plan.Task); inputs: {path: sha256}
    of the other notebooks' outputs it read."""
    nb = task.nb
    return {
        "notebook": show(nb.path),
        "executed": show(task.executed),
        "log": show(log_path),
        "preset": nb.params["preset"],
        "seed": nb.params["seed"],
        "parameters": nb.params,
        "started_utc": started,
        "wall_time_s": round(wall, 1),
        **prov,
        # Only files are keyed by their path with a bare sha256, so that a reader can check every
        # such pair against the tree; the inputs digest is not a file.
        "inputs_digest": f"sha256:{task.digest}",
        "executed_sha256": {show(task.executed): sha256_file(task.executed)},
        "outputs_record": show(task.record),
        "files": files,
        **({"inputs_sha256": inputs} if inputs else {}),
    }


def staleness(entry: dict | None, nb, executed: Path, record: Path, digest: str):
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
    for path, sha in entry.get("inputs_sha256", {}).items():
        full = resolve(path)
        if not full.exists() or sha256_file(full) != sha:
            return f"input {path} missing or changed"
    for path, sha in entry.get("files", {}).items():
        full = resolve(path)
        if not full.exists() or sha256_file(full) != sha:
            return f"output {path} missing or changed"
    return None
