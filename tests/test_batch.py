"""The batch behind run_all.sh: bad input, skipping, provenance, determinism, interrupt and resume.

Runs the fixture notebook (tests/fixtures/notebooks/fixture.ipynb: a real smoke meta-training of
SymLA with checkpoints) into temporary folders; never touches the repository's results.
"""

import hashlib
import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symla_lite import meta, notebook
from symla_lite.batch import cli, contract, lock, manifest, plan

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "notebooks"
CSVS = ("fixture_training.csv", "fixture_eval.csv")
GENERATIONS = 12  # the fixture's default
# Hang guard only, far beyond what a working batch of the fixture takes on any machine (about 15 s
# on 2 busy cores): a batch that hangs fails its test instead of hanging the suite.
HANG_S = 900


def dirs(tmp: Path) -> list[str]:
    return [
        *("--notebooks-dir", str(FIXTURES)),
        *("--executed-dir", str(tmp / "executed")),
        *("--logs-dir", str(tmp / "logs")),
        *("--results-dir", str(tmp / "results")),
        *("--figures-dir", str(tmp / "figures")),
        *("--checkpoint-dir", str(tmp / "checkpoints")),
    ]


def command(tmp: Path, *args) -> list[str]:
    return [sys.executable, "-m", "symla_lite.batch", "--preset", "smoke", *dirs(tmp), *args]


def run_batch(tmp: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        command(tmp, *args), cwd=ROOT, capture_output=True, text=True, timeout=HANG_S
    )


def csvs(tmp: Path) -> dict:
    return {name: (tmp / "results" / name).read_bytes() for name in CSVS}


def leftovers(tmp: Path) -> list[Path]:
    """Temporary files (atomic writes, partial notebooks) left behind."""
    return [p for p in tmp.rglob(".*") if p.is_file() and p.name != ".run_all.lock"]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("first")
    t0 = time.perf_counter()
    proc = run_batch(tmp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return tmp, proc, time.perf_counter() - t0


# --- bad input: fails before anything runs, naming the problem and the choices


@pytest.mark.parametrize(
    "args, words",
    [
        (["--only", "nosuch"], ["unknown notebook", "nosuch", "fixture"]),
        (["-p", "generations=abc"], ["generations", "must be int", "'abc'"]),
        (["-p", "generations=1.5"], ["generations", "must be int"]),
        (["-p", "nosuch=1"], ["unknown parameter", "nosuch", "checkpoint_every", "n_test"]),
        (["-p", "preset=lite"], ["--preset"]),
    ],
)
def test_bad_input_fails_before_running(tmp_path, capsys, args, words):
    assert cli.main(["--preset", "smoke", *dirs(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err
    assert not (tmp_path / "results").exists() and not (tmp_path / "logs").exists()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--preset", "huge"], ["--preset", "huge", "smoke", "lite", "standard", "paper"]),
        (["--seed", "x"], ["--seed"]),
        (["--seed", "-1"], ["--seed", "between 0 and 4294967295", "-1"]),
        (["--seed", str(2**32)], ["--seed", "between 0 and 4294967295"]),
    ],
)
def test_bad_option_is_a_usage_error(tmp_path, capsys, args, words):
    with pytest.raises(SystemExit) as e:
        cli.main([*dirs(tmp_path), *args])
    assert e.value.code == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err
    assert not (tmp_path / "results").exists()


def test_each_preset_writes_its_own_folders_by_default():
    lite = cli.parse_args([])
    assert (lite.results_dir, lite.figures_dir, lite.logs_dir) == ("results", "figures", "logs")
    std = cli.parse_args(["--preset", "standard"])
    assert (std.results_dir, std.figures_dir, std.logs_dir) == (
        str(Path("results", "standard")), str(Path("figures", "standard")),
        str(Path("logs", "standard")),
    )  # fmt: skip
    assert std.checkpoint_dir == lite.checkpoint_dir == "checkpoints"  # per preset inside
    given = cli.parse_args(["--preset", "paper", "--results-dir", "mine"])
    assert given.results_dir == "mine" and given.figures_dir == str(Path("figures", "paper"))
    assert cli.per_preset(Path("notebooks", "executed"), "smoke") == str(
        Path("notebooks", "executed", "smoke")
    )


def test_notebook_start_rejects_a_bad_seed(tmp_path):
    common = dict(preset="smoke", results_dir=str(tmp_path))
    for seed in (-1, 2**32):
        with pytest.raises(ValueError, match="parameter 'seed' must be between 0 and"):
            notebook.start("x", seed=seed, **common)
    with pytest.raises(TypeError, match="parameter 'seed' must be int"):
        notebook.start("x", seed=True, **common)
    assert notebook.start("x", seed=2**32 - 1, **common).seed == 2**32 - 1


def imported_modules(*args) -> set[str]:
    """The modules `python -X importtime *args` imports (run from the repository root)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [x for x in proc.stderr.splitlines() if x.startswith("import time:")]
    return {x.rsplit("|", 1)[1].strip() for x in lines[1:]}  # the first line is the header


def test_the_batch_and_the_notebook_side_import_no_jax(tmp_path):
    for args in (
        ["-c", "import symla_lite.batch, symla_lite.batch.cli, symla_lite.notebook, symla_lite.io"],
        ["-m", "symla_lite.batch", "--preset", "smoke", *dirs(tmp_path), "--list"],
    ):
        modules = imported_modules(*args)
        assert "symla_lite.batch.contract" in modules  # the check sees the package's imports
        assert not [m for m in modules if m.split(".")[0] in ("jax", "jaxlib")], args


def test_parameter_types():
    ok = contract.type_ok
    assert ok(3, 1) and ok(3, 0.5) and ok([1], None)
    assert not ok(True, 1) and not ok(1.5, 1) and not ok("a", [])
    assert plan.parse_value("[1, 2]") == [1, 2] and plan.parse_value("abc") == "abc"


# --- a full run, its manifest, skipping, --force, determinism


def test_run_writes_outputs_and_manifest(first_run):
    tmp, proc, _ = first_run
    assert "[1/1] fixture: running" in proc.stdout and "done in" in proc.stdout
    assert proc.stderr == ""  # what the kernel process itself says goes to the log
    executed = tmp / "executed" / "fixture.ipynb"
    nb = json.loads(executed.read_text())
    assert any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    assert (tmp / "logs" / "fixture.log").stat().st_size > 0
    entry = json.loads((tmp / "results" / "manifest.json").read_text())["notebooks"]["fixture"]
    assert entry["preset"] == "smoke" and entry["seed"] == 0 and entry["wall_time_s"] > 0
    assert len(entry["git"]["commit"]) == 40
    for pkg in ("jax", "jaxlib", "flax", "evosax", "gymnax", "python"):
        assert entry["versions"][pkg]
    assert entry["device"]["backend"] in ("cpu", "gpu", "tpu") and entry["device"]["devices"]
    files = entry["files"]
    expected = [tmp / "results" / c for c in CSVS]
    expected += [tmp / "figures" / f"fixture_training.{e}" for e in ("png", "pdf")]
    assert sorted(files) == sorted(str(p) for p in expected)
    for path, sha in files.items():
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha
    assert list(entry["executed_sha256"].values()) == [
        hashlib.sha256(executed.read_bytes()).hexdigest()
    ]
    assert entry["inputs_digest"].startswith("sha256:")
    assert leftovers(tmp) == []


def test_second_run_skips_and_force_reruns(first_run, capsys):
    tmp, _, first_wall = first_run
    before = csvs(tmp)
    proc = run_batch(tmp)
    assert proc.returncode == 0, proc.stderr
    assert "up to date, skipped" in proc.stdout and "running" not in proc.stdout
    assert cli.main(["--preset", "smoke", *dirs(tmp), "--list"]) == 0
    assert "fixture" in capsys.readouterr().out.split("up to date")[0]
    assert cli.main(["--preset", "smoke", *dirs(tmp), "--seed", "1", "--list"]) == 0
    assert "to run: last run had other parameters" in capsys.readouterr().out
    proc = run_batch(tmp, "--force", "--only", "fixture")
    assert proc.returncode == 0, proc.stderr
    assert "running (--force" in proc.stdout
    assert csvs(tmp) == before


def test_two_runs_give_identical_csvs(first_run, tmp_path):
    proc = run_batch(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert csvs(tmp_path) == csvs(first_run[0])


def test_a_second_batch_on_the_same_results_stops_before_running(tmp_path):
    with lock.batch_lock(tmp_path / "results"):
        proc = run_batch(tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"another batch (pid {os.getpid()}) is running" in proc.stderr
    assert not (tmp_path / "logs").exists() and not (tmp_path / "executed").exists()
    assert [p.name for p in (tmp_path / "results").iterdir()] == [".run_all.lock"]
    with lock.batch_lock(tmp_path / "results"):  # released: it can be taken again
        pass
    with pytest.raises(contract.BadInput, match="another batch"), lock.batch_lock(tmp_path):
        with lock.batch_lock(tmp_path):  # two holders in one process conflict as well
            pass


def test_stale_output_is_rerun(first_run, tmp_path):
    tmp, _, _ = first_run
    entry = json.loads((tmp / "results" / "manifest.json").read_text())["notebooks"]["fixture"]
    executed = tmp / "executed" / "fixture.ipynb"
    nb = plan.Notebook("fixture", FIXTURES / "fixture.ipynb", {}, entry["parameters"])
    record = tmp / "results" / "outputs" / "fixture.json"
    digest = entry["inputs_digest"].removeprefix("sha256:")
    assert manifest.staleness(entry, nb, executed, record, digest) is None
    assert "changed" in manifest.staleness(entry, nb, executed, record, "0" * 64)
    changed = dict(entry, files={**entry["files"], str(tmp_path / "gone.csv"): "0"})
    assert "gone.csv missing" in manifest.staleness(changed, nb, executed, record, digest)


# --- failures and interruption


def test_failing_notebook_stops_with_cell_and_error(tmp_path):
    proc = run_batch(tmp_path, "-p", "generations=0")
    assert proc.returncode == 1
    assert "notebook 'fixture'" in proc.stderr and "failed in cell" in proc.stderr
    assert "ValueError: generations must be >= 1" in proc.stderr
    assert "meta.train(config)" in proc.stderr  # the failing cell's source
    assert not (tmp_path / "executed" / "fixture.ipynb").exists()
    assert (tmp_path / "logs" / "fixture.failed.ipynb").exists()
    assert not (tmp_path / "results" / "manifest.json").exists()


def test_a_dead_kernel_stops_with_its_log(tmp_path):
    code = "import os, signal\nos.write(2, b'last words\\n')\nos.kill(os.getpid(), signal.SIGKILL)"
    nb = json.loads((FIXTURES / "fixture.ipynb").read_text())
    nb["cells"] = [
        c for c in nb["cells"] if {"parameters", "validate"} & {*c["metadata"].get("tags", [])}
    ]
    nb["cells"].append(dict(nb["cells"][0], metadata={}, source=code))
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "dies.ipynb").write_text(json.dumps(nb))
    args = [*dirs(tmp_path), "--notebooks-dir", str(tmp_path / "notebooks")]
    proc = subprocess.run(
        [sys.executable, "-m", "symla_lite.batch", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "notebook 'dies'" in proc.stderr and "its kernel died" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "last words" in (tmp_path / "logs" / "dies.log").read_text()
    assert (tmp_path / "logs" / "dies.failed.ipynb").exists()
    assert leftovers(tmp_path) == []


# Where the interrupted batch's meta-training stops (meta.TEST_PAUSE): after the checkpoint of
# this generation, mid-way through the fixture's GENERATIONS in chunks of checkpoint_every = 2.
PAUSE_AT = 6


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_interrupted_then_resumed_equals_uninterrupted(first_run, tmp_path, sig):
    """The batch is interrupted while its kernel meta-trains, at a point the test chooses: the
    kernel pauses after generation PAUSE_AT's checkpoint (meta.TEST_PAUSE) until the batch kills
    it, and the signal is sent once it has paused, so no machine is too fast or too slow for it."""
    ckpt = tmp_path / "checkpoints" / "fixture" / "smoke" / "seed0" / "symla" / "checkpoint.pkl"
    # written by the kernel when it pauses (not a dotfile, so not a leftover)
    paused = tmp_path / "paused"
    proc = subprocess.Popen(
        command(tmp_path),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a command in a terminal
        env={**os.environ, meta.TEST_PAUSE: f"{PAUSE_AT}:{paused}"},
    )
    deadline = time.monotonic() + HANG_S
    while not paused.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if not paused.exists():  # it failed, or hangs: not the interruption under test
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=HANG_S)
        pytest.fail(f"the batch never paused (exit code {proc.returncode}):\n{out}{err}")
    assert paused.read_text() == f"{PAUSE_AT}\n"
    # During meta-training (a checkpoint exists, the kernel is inside meta.train); to the whole
    # process group, as Ctrl-C in a terminal.
    os.killpg(proc.pid, sig)
    out, err = proc.communicate(timeout=HANG_S)
    assert proc.returncode == 128 + sig, out + err
    # The user sees the message alone: no tracebacks of the kernel or of its clients.
    assert err.strip() == (
        f"run_all: interrupted ({sig.name}); finished notebooks and meta-training checkpoints "
        "are kept: run it again to continue"
    ), err
    for word in ("Traceback", "DeadKernelError", "ZMQError", "Task exception"):
        assert word not in err
    with ckpt.open("rb") as f:
        done = pickle.load(f)["generation"]
    assert 0 < done < GENERATIONS  # it was stopped mid-way
    assert done == PAUSE_AT  # and no further: the kernel computed nothing after its pause
    assert not (tmp_path / "executed" / "fixture.ipynb").exists()
    assert not any((tmp_path / "results" / c).exists() for c in CSVS)
    assert leftovers(tmp_path) == []
    assert _no_kernel_left(proc.pid)

    proc = run_batch(tmp_path)  # without the pause
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = (tmp_path / "logs" / "fixture.log").read_text()
    assert f" {done}/{GENERATIONS} " in log  # the progress bar starts at the checkpoint
    assert csvs(tmp_path) == csvs(first_run[0])


REAP_S = 120  # a SIGKILLed process is gone within milliseconds; far more, whatever the load


def _no_kernel_left(parent_pid: int) -> bool:
    """No process whose parent was the killed batch (its kernel) survives it.

    The batch kills its kernel (SIGKILL) before it exits; a killed process may still be listed
    for a moment (until it is reaped), so this waits for the list to empty, up to REAP_S, instead
    of sleeping a fixed time."""
    if not Path("/proc").is_dir():
        return True
    deadline = time.monotonic() + REAP_S
    while _kernels_of(parent_pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _kernels_of(parent_pid: int) -> list[str]:
    """The live (not zombie) processes started by the batch of pid `parent_pid` (JPY_PARENT_PID)."""
    found = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit() and p.name != str(os.getpid()):
            try:
                env = (p / "environ").read_bytes()
                state = (p / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if f"JPY_PARENT_PID={parent_pid}".encode() in env.split(b"\0") and state != "Z":
                found.append(p.name)
    return found


# --- the claims notebook: runs after the experiments, again when a claims file it read changes

VALIDATE_CELL = """
from symla_lite import notebook

out = notebook.start("zeta", preset=preset, seed=seed, results_dir=results_dir,
                     figures_dir=figures_dir, checkpoint_dir=checkpoint_dir)
"""
EXPERIMENT_CELL = """
from symla_lite import verdict

out.claims([verdict.row("zeta claim", "zeta", "m", [1.0, 1.1, 0.9], (2.0, 0.05), "lower", preset)])
out.finish()
"""


@pytest.mark.heavy
def test_claims_notebook_runs_last_and_again_when_an_input_changes(tmp_path):
    from symla_lite import verdict

    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    claims_nb = (ROOT / "notebooks" / "claims.ipynb").read_text()
    (nbs / "claims.ipynb").write_text(claims_nb)
    nb = json.loads(claims_nb)
    nb["cells"] = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    for tags, source in ((["validate"], VALIDATE_CELL), ([], EXPERIMENT_CELL)):
        nb["cells"].append(dict(nb["cells"][0], metadata={"tags": tags}, source=source))
    (nbs / "zeta.ipynb").write_text(json.dumps(nb))  # sorts after "claims", runs before it
    other = tmp_path / "results" / f"bandits{verdict.SUFFIX}"  # written by no notebook here
    other.parent.mkdir()
    row = verdict.row(
        "bandits claim", "bandits", "m", [1.0, 1.2, 0.8], (2.0, 0.1), "lower", "smoke"
    )
    verdict.table([row]).to_csv(other, index=False)
    args = ("--notebooks-dir", str(nbs))

    proc = run_batch(tmp_path, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.index("[1/2] zeta: running") < proc.stdout.index("[2/2] claims: running")
    table = verdict.read(tmp_path / "results")
    assert list(table["claim"]) == ["bandits claim", "zeta claim"]  # verdict.ORDER, then others
    entry = json.loads((tmp_path / "results" / "manifest.json").read_text())["notebooks"]["claims"]
    assert sorted(Path(p).name for p in entry["inputs_sha256"]) == [other.name, "zeta_claims.csv"]

    proc = run_batch(tmp_path, *args)
    assert proc.returncode == 0 and "running" not in proc.stdout, proc.stdout + proc.stderr

    verdict.table([dict(row, symla=0.5)]).to_csv(other, index=False)
    listed = subprocess.run(
        command(tmp_path, *args, "--list"), cwd=ROOT, capture_output=True, text=True, timeout=HANG_S
    ).stdout
    lines = {x.split()[0]: x for x in listed.splitlines() if x.strip()}
    assert "up to date" in lines["zeta"]
    assert f"to run: input {other} missing or changed" in lines["claims"]
    proc = run_batch(tmp_path, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "zeta: up to date, skipped" in proc.stdout and "claims: running (input" in proc.stdout
    assert verdict.read(tmp_path / "results").loc[0, "symla"] == 0.5


def test_the_atlas_runs_after_the_experiments_and_before_claims(tmp_path):
    """Notebooks run by name, then RUNS_LAST in its order; the generalist and the atlas are due
    again when the unseen-environments notebook runs (they resume that notebook's SymLA), claims
    when any runs."""
    names = ("zeta", "claims", "atlas", "bandits", "unseen_environments", "ablations", "generalist")
    for name in names:
        (tmp_path / f"{name}.ipynb").write_text("{}")
    order = list(plan.discover(tmp_path))
    assert order == [
        "ablations", "bandits", "unseen_environments", "zeta", "generalist", "atlas", "claims"
    ]  # fmt: skip
    assert list(plan.discover(ROOT / "notebooks"))[-3:] == ["generalist", "atlas", "claims"]
    assert contract.reads("generalist", ["unseen_environments", "zeta"]) == ["unseen_environments"]
    assert plan.select(plan.discover(tmp_path), ["claims", "atlas", "bandits"]) == [
        "bandits",
        "atlas",
        "claims",
    ]
    assert contract.reads("atlas", ["bandits", "zeta"]) == []
    assert contract.reads("atlas", ["bandits", "unseen_environments"]) == ["unseen_environments"]
    assert contract.reads("claims", ["bandits", "atlas"]) == ["bandits", "atlas"]
    assert contract.reads("bandits", ["ablations"]) == []


def test_kernels_share_a_compilation_cache_beside_the_checkpoints(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("JAX_COMPILATION_CACHE_DIR", raising=False)
    assert cli.main(["--preset", "smoke", *dirs(tmp_path), "--list"]) == 0
    assert os.environ["JAX_COMPILATION_CACHE_DIR"] == str(tmp_path / "checkpoints" / "jax_cache")
    monkeypatch.setenv("JAX_COMPILATION_CACHE_DIR", str(tmp_path / "mine"))  # a reader's own wins
    assert cli.main(["--preset", "smoke", *dirs(tmp_path), "--list"]) == 0
    assert os.environ["JAX_COMPILATION_CACHE_DIR"] == str(tmp_path / "mine")
