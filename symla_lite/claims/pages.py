"""The rendered blocks of README.md and docs/*.md: every table of results there is computed here.

A page marks a block with `<!-- name:begin -->` and `<!-- name:end -->` lines; `render_page`
replaces what lies between them with BLOCKS[name](results_dir), and

    python -m symla_lite.claims.summary [--results results] [--readme README.md]
                                        [--docs README's folder/docs] [--check]

rewrites every block of the README and of each page in docs/ (--check: exit 1 if a page differs),
so that no number of those tables is typed by hand. The README must hold a claims block (`claims`,
or `claims_brief`, which counts the atlas's per-environment claims in one line).
"""

import argparse
import json
import math
import sys
from pathlib import Path

import pandas as pd

from symla_lite import io, presets, verdict
from symla_lite.batch.contract import ROOT
from symla_lite.claims import summary

NOTEBOOKS_DIR = ROOT / "notebooks"
MANIFEST = "manifest.json"
# The preset table's columns: (TrainConfig field, header)
PRESET_COLUMNS = (
    ("population", "population"),
    ("num_evals", "lifetimes per member"),
    ("lifetime", "L"),
    ("generations", "generations"),
    ("lr", "Adam lr"),
    ("std", "std"),
    ("hidden", "hidden"),
)


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"no {path.name} in {path.parent}: run its notebook first")
    return pd.read_csv(path)


def claims_block(results_dir) -> str:
    """The claims table, one table per experiment (summary.markdown)."""
    return summary.markdown(verdict.read(results_dir))


def claims_brief_block(results_dir) -> str:
    """The README's claims table: as `claims_block`, the per-environment claims of the atlas
    counted in one line (summary.markdown's brief)."""
    return summary.markdown(verdict.read(results_dir), brief=True)


def counts_block(results_dir) -> str:
    """One sentence counting the claims per verdict (summary.counts)."""
    return summary.counts(verdict.read(results_dir))


def bandits_block(results_dir) -> str:
    """In-distribution regret per bandit distribution: SymLA and MetaRNN (mean ± SE across
    seeds) and the fixed algorithms (± SE over test lifetimes)."""
    from symla_lite.claims import bandits

    results_dir = Path(results_dir)
    base = _read_csv(results_dir / "bandits_baselines.csv")
    transfer = _read_csv(results_dir / "bandits_transfer.csv")
    return summary.frame_markdown(bandits.in_distribution(base, transfer))


def ablations_block(results_dir) -> str:
    """The ablation's meta-test per setting and variant, from ablations.csv: final fitness and
    score (mean ± SE across seeds), episodes per lifetime against the random policy's."""
    from symla_lite.experiments import ablations

    summ = ablations.summary(_read_csv(Path(results_dir) / "ablations.csv"))
    pm = summary.pm
    rows = [
        {
            "setting": r["setting"],
            "variant": r["variant"],
            "seeds": int(r["n_seeds"]),
            "final fitness": pm(r["final_fitness"], r["final_fitness_sem"]),
            "score": pm(r["score"], r["score_sem"]),
            "episodes per lifetime (random)": (
                f"{pm(r['episodes'], r['episodes_sem'])} ({r['random_episodes']:.2f})"
            ),
        }
        for r in summ.to_dict("records")
    ]
    return summary.frame_markdown(pd.DataFrame(rows))


def standard_ablations_block(results_dir) -> str:
    """ablations_block of the complete ablation plan, which the standard preset runs at lite's
    sizes and writes to results_dir/standard/ablations.csv (the default batch runs a part of it)."""
    return ablations_block(Path(results_dir) / presets.SHIPPED)


def manifest(results_dir) -> dict:
    """results_dir/manifest.json's notebooks ({} if the folder has no manifest)."""
    path = Path(results_dir) / MANIFEST
    return json.loads(path.read_text())["notebooks"] if path.is_file() else {}


def minutes(seconds: float) -> str:
    """A duration as the tables show it: seconds below two minutes, else minutes."""
    if seconds is None or not math.isfinite(seconds):
        return "n/a"
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def title(notebook: Path) -> str:
    """The notebook's title: the text of the first '# ' heading of its first markdown cell."""
    nb = json.loads(Path(notebook).read_text())
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            src = cell["source"]
            for line in ("".join(src) if isinstance(src, list) else src).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
            break
    raise ValueError(f"notebook {notebook}: its first markdown cell has no '# ' title")


def notebooks_block(results_dir, notebooks_dir=NOTEBOOKS_DIR) -> str:
    """The notebooks: what each regenerates (its title), its time in the batch that wrote
    results_dir (results/manifest.json) and a link to its executed copy."""
    runs = manifest(results_dir)
    lines = [
        "| notebook (executed copy) | what it regenerates | time in the last batch |",
        "| --- | --- | --- |",
    ]
    for path in sorted(Path(notebooks_dir).glob("*.ipynb")):
        run = runs.get(path.stem, {})
        executed = run.get("executed", f"notebooks/executed/{path.name}")
        time = minutes(run.get("wall_time_s", math.nan))
        lines.append(f"| [{path.stem}]({executed}) | {title(path)} | {time} |")
    total = sum(r.get("wall_time_s", 0.0) for r in runs.values())
    lines.append(f"| all | | {minutes(total) if runs else 'n/a'} |")
    return "\n".join(lines) + "\n"


def presets_block(results_dir) -> str:
    """The presets' meta-training sizes per family (`presets.preset`), where an experiment departs
    from them (`presets.EXPERIMENTS`), and each preset's last recorded batch time."""
    head = ["preset, family", *(h for _, h in PRESET_COLUMNS)]
    same: dict[tuple, list[str]] = {}  # presets with equal sizes share a row
    for family in presets.FAMILIES:
        for name in presets.PRESETS:
            p = presets.preset(name, family)
            same.setdefault((family, *(str(p[k]) for k, _ in PRESET_COLUMNS)), []).append(name)
    rows = [[f"{' and '.join(names)}, {key[0]}", *key[1:]] for key, names in same.items()]
    for (name, exp), fields in presets.EXPERIMENTS.items():
        fields = dict(fields)
        seeds = fields.pop("seeds", presets.NUM_SEEDS)
        p = {**presets.preset(name, "rl"), **fields}
        label = f"{name}, `{exp}` ({seeds} seeds)"
        rows.append([label, *(str(p[k]) for k, _ in PRESET_COLUMNS)])
    table = summary.frame_markdown(pd.DataFrame(rows, columns=head))
    times = []
    for name in presets.PRESETS:
        folder = Path(results_dir) if name == "lite" else Path(results_dir) / name
        runs = manifest(folder)
        if runs:
            total = sum(r.get("wall_time_s", 0.0) for r in runs.values())
            times.append(f"`{name}` {minutes(total)} ({len(runs)} notebooks)")
    recorded = "; ".join(times) if times else "none"
    return f"{table}\nLast recorded batch time per preset (its manifest): {recorded}.\n"


def machine_block(results_dir) -> str:
    """The machine and package versions of the batch that wrote results_dir (its manifest)."""
    runs = manifest(results_dir)
    if not runs:
        return "No batch has written a manifest here yet.\n"
    machines = {
        (json.dumps(r.get("device", {}), sort_keys=True), json.dumps(r.get("versions", {})))
        for r in runs.values()
    }
    lines = []
    for device, versions in sorted(machines):
        d, v = json.loads(device), json.loads(versions)
        m = d.get("machine", {})
        pins = ", ".join(f"{k} {v[k]}" for k in ("jax", "flax", "evosax", "gymnax") if k in v)
        lines.append(
            f"- {m.get('cpu', 'unknown CPU')}, {m.get('cpu_count', '?')} cores, "
            f"{d.get('count', '?')} JAX {d.get('backend', '?')} devices; Python "
            f"{v.get('python', '?')}, {pins}"
        )
    return "\n".join(lines) + "\n"


def rule_block(results_dir) -> str:
    """The verdict rule, as every notebook quotes it (verdict.RULE)."""
    return verdict.RULE + "\n"


# name -> renderer(results_dir) -> markdown
BLOCKS = {
    "rule": rule_block,
    "machine": machine_block,
    "claims": claims_block,
    "claims_brief": claims_brief_block,
    "claims_counts": counts_block,
    "bandits": bandits_block,
    "ablations_standard": standard_ablations_block,
    "notebooks": notebooks_block,
    "presets": presets_block,
}


def blocks_in(text: str) -> list[str]:
    """The names of BLOCKS whose begin marker `text` holds."""
    return [name for name in BLOCKS if summary.markers(name)[0] in text]


def render_page(text: str, results_dir) -> str:
    """`text` with every block of BLOCKS it has markers for rendered from results_dir."""
    for name in blocks_in(text):
        text = summary.render_readme(text, BLOCKS[name](results_dir), name)
    return text


def pages(readme, docs) -> list[Path]:
    """The README and every markdown page of the docs folder."""
    readme = Path(readme)
    if not readme.is_file():
        raise FileNotFoundError(f"no README at {readme}")
    return [readme, *sorted(Path(docs).glob("*.md"))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m symla_lite.claims.summary",
        description="Rewrite the rendered blocks of README.md and docs/*.md from results/.",
    )
    ap.add_argument("--results", default="results", help="results folder (default: results)")
    ap.add_argument("--readme", default="README.md", help="README to update (default: README.md)")
    ap.add_argument(
        "--docs", default=None, help="folder of further pages (default: docs beside the README)"
    )
    ap.add_argument("--check", action="store_true", help="only check: exit 1 if a page differs")
    args = ap.parse_args(argv)
    try:
        docs = Path(args.readme).parent / "docs" if args.docs is None else args.docs
        paths = pages(args.readme, docs)
        old = {p: p.read_text() for p in paths}
        if not {"claims", "claims_brief"} & set(blocks_in(old[paths[0]])):
            raise ValueError(f"{paths[0]} has no claims block ({summary.markers('claims')[0]})")
        new = {p: render_page(text, args.results) for p, text in old.items()}
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    stale = [p for p in paths if new[p] != old[p]]
    if not stale:
        print(f"{', '.join(map(str, paths))}: the rendered blocks are up to date")
        return 0
    if args.check:
        print(f"{', '.join(map(str, stale))}: blocks differ from what {args.results}/ renders")
        return 1
    for p in stale:
        io.write_bytes(p, new[p].encode())
    print(f"{', '.join(map(str, stale))}: blocks rewritten from {args.results}/")
    return 0
