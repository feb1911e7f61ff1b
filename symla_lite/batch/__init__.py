"""The batch behind `./run_all.sh`: run every notebook with papermill, resumably, with provenance.

    python -m symla_lite.batch [--preset smoke|lite|paper] [--seed N] [--only NAME ...] [--force]
                               [-p NAME=VALUE ...] [--notebooks-dir DIR] [--results-dir DIR] ...

Each notebook `<notebooks-dir>/<name>.ipynb` runs in a fresh `python3` kernel with the repository root
as working directory, into `<executed-dir>/<name>.ipynb` (written under a temporary name and renamed
when the notebook has finished), its kernel output going to `<logs-dir>/<name>.log`.

Before the first notebook runs, every notebook due checks the parameter values it is given with its
own `validate` cell (run on them in one subprocess, `validate`); a value a notebook rejects stops the
batch with that notebook's message, before anything ran.

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

The modules, none of which imports JAX (the kernels do):
    contract  the notebook contract both sides share (parameters, kernel, outputs record, hashing)
    plan      the notebooks found and chosen, their parameters, which are due
    manifest  provenance, the manifest, staleness
    lock      one batch per results folder
    validate  the notebooks' own checks of their parameter values, run before any notebook
    runner    executing one notebook with papermill; its log, failure report and kernel
    display   the live line on the terminal
    cli       the options and the batch loop (`main`)
"""
