"""The notebook contract, shared by the batch and the notebooks: parameters, kernel, outputs record.

Every notebook runs in the `python3` kernel with the repository root as working directory. Its one
code cell tagged `parameters` sets at least `preset`, `seed`, `results_dir`, `figures_dir` and
`checkpoint_dir` (paths relative to the repository root) to literal defaults. The code cell right
after it, its one cell tagged `validate`, checks every parameter value (imports,
`symla_lite.notebook.start`, the notebook's own checks) and has no side effect: no file written,
nothing meta-trained; the batch runs it on the values it passes before any notebook runs
(`symla_lite.batch.validate`). A notebook ends by writing `<results_dir>/outputs/<name>.json`: the
files it wrote, each with its sha256 (`symla_lite.notebook.Outputs`). The batch reads that record
into results/manifest.json.
"""

import ast
import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository root: where notebooks run
KERNEL = "python3"
# Set for the kernels the batch starts: progress bars as plain text (into the log and the live
# line) instead of notebook widgets, which would leave a frozen bar in the executed copy.
PLAIN_PROGRESS = "SYMLA_PLAIN_PROGRESS"
DIR_PARAMS = ("results_dir", "figures_dir", "checkpoint_dir")
REQUIRED_PARAMS = ("preset", "seed", *DIR_PARAMS)
# Notebooks that read other notebooks' outputs: they run after all the others, in this order, and
# again whenever a notebook they read runs first (READS: the notebooks each reads; None: every
# notebook before it). The generalist and the atlas resume the unseen-environments experiment's
# SymLA checkpoint, the atlas also the generalist's; the claims notebook joins every experiment's
# claims.
RUNS_LAST = ("generalist", "atlas", "claims")
READS = {
    "generalist": ("unseen_environments",),
    "atlas": ("unseen_environments", "generalist"),
    "claims": None,
}
# The tags of a notebook's parameters cell and of the cell right after it that checks them.
PARAMETERS, VALIDATE = "parameters", "validate"
SEED_MAX = 2**32 - 1  # seeds are folded into keys as uint32 (jax.random.fold_in)


class BadInput(ValueError):
    """Bad input to the batch (options, parameters, a notebook breaking the contract), found
    before anything ran."""


def run_order(name: str) -> tuple:
    """Sort key of a notebook in a batch: by name, those of RUNS_LAST after all others, in its
    order."""
    return (RUNS_LAST.index(name) if name in RUNS_LAST else -1, name)


def reads(name: str, before: list[str]) -> list[str]:
    """The notebooks of `before` (those run before it) whose outputs notebook `name` reads."""
    if name not in RUNS_LAST:
        return []
    wanted = READS.get(name)
    return list(before) if wanted is None else [n for n in before if n in wanted]


def resolve(path) -> Path:
    """A path as a notebook sees it: relative paths are relative to the repository root."""
    return ROOT / path  # absolute paths stay absolute


def show(path: Path) -> str:
    """A path relative to the repository root when it lies inside it."""
    path = Path(path).absolute()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def outputs_record(results_dir, name: str) -> Path:
    """Where notebook `name` records the files it wrote."""
    return Path(results_dir) / "outputs" / f"{name}.json"


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def kind_ok(value, kinds: tuple) -> bool:
    """isinstance, except that a bool is not an int (nor a float) unless bool is among `kinds`."""
    return isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)


def check_param(name: str, value, kind, choices=None):
    """Raise a clear error if a notebook parameter has the wrong type or is not among `choices`."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not kind_ok(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise TypeError(
            f"parameter {name!r} must be {names}, got {value!r} ({type(value).__name__})"
        )
    if choices is not None:
        values = value if isinstance(value, list | tuple) else [value]
        bad = [v for v in values if v not in choices]
        if bad:
            if isinstance(choices, range) and choices.step == 1 and len(choices):
                allowed = f"an int from {choices.start} to {choices.stop - 1}"
            else:
                allowed = f"one of {list(choices)}"
            raise ValueError(f"parameter {name!r}: unknown value(s) {bad}; choose {allowed}")
    return value


def check_seed(seed) -> int:
    """Raise a clear error unless `seed` is an int from 0 to SEED_MAX."""
    check_param("seed", seed, int)
    if not 0 <= seed <= SEED_MAX:
        raise ValueError(f"parameter 'seed' must be between 0 and {SEED_MAX}, got {seed}")
    return seed


def type_ok(value, default) -> bool:
    """Whether `value` may replace a parameter's `default` (an int may replace a float)."""
    if default is None or default is ...:
        return True
    return kind_ok(value, (int, float) if isinstance(default, float) else (type(default),))


def read_parameters(path: Path) -> dict:
    """The parameters cell of a notebook as {name: default} (... where the default is not a
    literal); BadInput if the notebook breaks the contract."""
    defaults = _literal_assignments(read_cells(path)[PARAMETERS])
    missing = [p for p in REQUIRED_PARAMS if p not in defaults]
    if missing:
        raise BadInput(f"notebook {path}: its parameters cell lacks {missing}")
    return defaults


def read_cells(path: Path) -> dict:
    """{PARAMETERS: source, VALIDATE: source}: a notebook's parameters cell and the validate cell
    right after it; BadInput if the notebook breaks the contract (its kernel, one cell of each
    tag, the validate cell the first code cell after the parameters cell)."""
    try:
        nb = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BadInput(f"notebook {path}: cannot be read as a notebook ({e})") from None
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != KERNEL:
        raise BadInput(f"notebook {path}: kernelspec name must be {KERNEL!r}, got {kernel!r}")
    code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    found = {}
    for tag, what in ((PARAMETERS, "sets the parameters"), (VALIDATE, "checks them")):
        where = [i for i, c in enumerate(code) if tag in c.get("metadata", {}).get("tags", [])]
        if len(where) != 1:
            raise BadInput(
                f"notebook {path}: needs exactly one code cell tagged {tag!r} (the cell that "
                f"{what}), has {len(where)}"
            )
        found[tag] = where[0]
    if found[VALIDATE] != found[PARAMETERS] + 1:
        raise BadInput(
            f"notebook {path}: its cell tagged {VALIDATE!r} must be the code cell right after its "
            f"cell tagged {PARAMETERS!r}"
        )
    return {tag: _text(code[i]["source"]) for tag, i in found.items()}


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def _literal_assignments(src: str) -> dict:
    """{name: value} for each `name = value` statement of `src` (... where not a literal)."""
    out = {}
    for node in ast.parse(src).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    out[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    out[target.id] = ...
    return out
