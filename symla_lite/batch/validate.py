"""Checking the batch's parameter values with the notebooks' own rules, before any notebook runs.

Every notebook's `validate` cell (`contract.read_cells`) holds its checks of its parameters. Before
the first notebook runs, `check` runs, for every notebook due, its `parameters` cell, then the values
the batch passes (the very source papermill injects), then its `validate` cell, all in one Python
subprocess (`python -m symla_lite.batch.validate`: the batch itself never imports JAX; one process
pays the notebooks' imports once), each notebook in a namespace of its own. A notebook that rejects
its values stops the batch with BadInput: the notebook's name and its own error message. The cells
run as plain Python (no IPython magics) with the repository root as working directory; what they
print is discarded. The same subprocess reports the devices JAX sees (`manifest.device_info`), which
the batch records as its provenance: one JAX process per batch, not two.
"""

import contextlib
import io
import json
import os
import subprocess
import sys
import time

from symla_lite.batch.contract import (
    DIR_PARAMS,
    KERNEL,
    PARAMETERS,
    PLAIN_PROGRESS,
    ROOT,
    VALIDATE,
    BadInput,
    read_cells,
)
from symla_lite.batch.manifest import device_info

MARKER = "symla_lite.batch.validate:"  # the line of the subprocess's report, among its output
LANGUAGE = "python"


def sources(nb) -> list[tuple[str, str]]:
    """(label, source) of what runs for notebook `nb` (a plan.Notebook): its parameters cell, the
    values the batch passes as papermill injects them, its validate cell."""
    from papermill.translators import translate_parameters

    cells = read_cells(nb.path)
    injected = translate_parameters(KERNEL, LANGUAGE, nb.params, "Parameters")
    return [
        (f"its {PARAMETERS!r} cell", cells[PARAMETERS]),
        ("the parameters passed to it", injected),
        (f"its {VALIDATE!r} cell", cells[VALIDATE]),
    ]


def check(notebooks) -> tuple[float, dict | None]:
    """Run every notebook's checks on the values the batch passes it (see the module); BadInput
    naming each notebook that rejects them, with its message. Returns the seconds it took and
    the devices the subprocess saw (`manifest.device_info`; None for no notebook)."""
    t0 = time.perf_counter()
    if not notebooks:
        return 0.0, None
    payload = [dict(name=nb.name, cells=sources(nb)) for nb in notebooks]
    # No compilation cache: a check that compiles (a module that computes at import) writes nothing.
    env = {**os.environ, PLAIN_PROGRESS: "1", "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    proc = subprocess.run(
        [sys.executable, "-m", "symla_lite.batch.validate"],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    report = [x for x in proc.stdout.splitlines() if x.startswith(MARKER)]
    if proc.returncode != 0 or len(report) != 1:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise BadInput(
            f"the notebooks' parameter checks (python -m symla_lite.batch.validate) stopped with "
            f"exit status {proc.returncode}, nothing was run:\n{tail}"
        )
    found = json.loads(report[0][len(MARKER) :])
    errors = found["errors"]
    if errors:
        by_name = {nb.name: nb for nb in notebooks}
        lines = [f"  {name} ({_shown(by_name[name].params)}): {e}" for name, e in errors.items()]
        raise BadInput(
            "the notebooks' own checks reject the parameters (no notebook ran):\n"
            + "\n".join(lines)
        )
    return time.perf_counter() - t0, found["device"]


def _shown(params: dict) -> str:
    """The parameters a notebook is given, but for the folders."""
    return ", ".join(f"{k}={v!r}" for k, v in params.items() if k not in DIR_PARAMS)


def run_cells(name: str, cells) -> str | None:
    """Run one notebook's cells [(label, source)] in a namespace of its own; None if they pass,
    else the error as "Type: message" (naming the cell unless it is the validate cell)."""
    namespace = {"__name__": "__main__"}
    for label, src in cells:
        try:
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):
                exec(compile(src, f"<{name}: {label}>", "exec"), namespace)
        except (Exception, SystemExit) as e:
            where = "" if label.endswith(f"{VALIDATE!r} cell") else f" (in {label})"
            return f"{type(e).__name__}: {e}{where}"
    return None


def main() -> int:
    """The subprocess: notebooks [{name, cells}] as JSON on stdin; one line MARKER + {"errors":
    {name: error} of those that fail, "device": `manifest.device_info()`} on stdout."""
    errors = {}
    for item in json.loads(sys.stdin.read()):
        error = run_cells(item["name"], item["cells"])
        if error is not None:
            errors[item["name"]] = error
    report = {"errors": errors, "device": device_info()}
    print("\n" + MARKER + json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
