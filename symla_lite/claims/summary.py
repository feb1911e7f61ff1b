"""The claims table of a whole run: join every experiment's claims file, render it as markdown.

`join` reads results/<experiment>_claims.csv (experiments in verdict.ORDER, then any others by
name) into the one table results/claims.csv; `markdown` renders it, `render_readme` puts that
rendering between the README's `<!-- claims:begin -->` and `<!-- claims:end -->` markers, and

    python -m symla_lite.claims.summary [--results results] [--readme README.md] [--check]

rewrites that README block from results/claims.csv (--check: exit 1 if the README differs).
"""

import argparse
import math
import sys
from pathlib import Path

import pandas as pd

from symla_lite import io, verdict

BEGIN = "<!-- claims:begin -->"
END = "<!-- claims:end -->"
MARKDOWN = "claims.md"


def experiment_of(path) -> str:
    """The experiment whose claims file `path` is (<experiment>_claims.csv)."""
    name = Path(path).name
    if not name.endswith(verdict.SUFFIX) or name == verdict.SUFFIX:
        raise ValueError(f"{path} is not a claims file <experiment>{verdict.SUFFIX}")
    return name[: -len(verdict.SUFFIX)]


def find(results_dir) -> list[Path]:
    """The experiments' claims files in results_dir: those of verdict.ORDER in that order, then
    any others by name."""
    found = {
        experiment_of(p): p
        for p in Path(results_dir).glob(f"*{verdict.SUFFIX}")
        if p.is_file() and not p.name.startswith(".") and p.name != verdict.SUFFIX
    }
    first = [e for e in verdict.ORDER if e in found]
    return [found[e] for e in [*first, *sorted(set(found) - set(first))]]


def read_one(path, preset: str) -> pd.DataFrame:
    """One experiment's claims file, checked: the columns, its experiment name and the preset."""
    path = Path(path)
    df = pd.read_csv(path)
    missing = [c for c in verdict.COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(
            f"{path} lacks the columns {missing} (a claims file has {verdict.COLUMNS})"
        )
    exp = experiment_of(path)
    other = sorted(set(df["experiment"].astype(str)) - {exp})
    if other:
        raise ValueError(f"{path} holds rows of experiment(s) {other}, not only {exp!r}")
    presets = sorted(set(df["preset"].astype(str)))
    if presets and presets != [preset]:
        raise ValueError(
            f"{path} was written with preset {presets}, but the claims table is for preset "
            f"{preset!r}: run notebook {exp!r} with preset {preset!r} first"
        )
    return verdict.table(df[list(verdict.COLUMNS)].to_dict("records"))


def join(paths, preset: str) -> pd.DataFrame:
    """The claims files `paths` (see find) as one claims table, rows in the files' order."""
    tables = [read_one(p, preset) for p in paths]
    tables = [t for t in tables if len(t)]
    df = pd.concat(tables, ignore_index=True) if tables else verdict.table([])
    dup = sorted(set(df.loc[df["claim"].duplicated(), "claim"]))
    if dup:
        raise ValueError(f"claims named twice across the experiments: {dup}")
    return df


def pm(value, se) -> str:
    """`value ± se`, both rounded where the standard error's second significant digit lies."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if se is None or not math.isfinite(se):
        return f"{value:.4g} ± n/a"
    if se == 0:
        return f"{value:.4g} ± 0"
    digits = min(max(0, 1 - math.floor(math.log10(abs(se)))), 8)
    return f"{value:.{digits}f} ± {se:.{digits}f}"


def markdown(df: pd.DataFrame) -> str:
    """The claims table as a markdown table: claim, SymLA ± SE, baseline ± SE, seeds, verdict."""
    if not len(df):
        return "No claims yet: no experiment has written its claims file.\n"
    lines = [
        "| claim | SymLA ± SE | baseline ± SE | seeds | verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in df.to_dict("records"):
        claim = str(r["claim"]).replace("|", "\\|")
        lines.append(
            f"| {claim} | {pm(r['symla'], r['symla_sem'])} | "
            f"{pm(r['baseline'], r['baseline_sem'])} | {int(r['n_seeds'])} | {r['verdict']} |"
        )
    return "\n".join(lines) + "\n"


def write_markdown(df: pd.DataFrame, results_dir) -> Path:
    """Write markdown(df) to results_dir/claims.md atomically; returns the path."""
    path = Path(results_dir) / MARKDOWN
    io.write_bytes(path, markdown(df).encode())
    return path


def render_readme(readme_text: str, claims_md: str) -> str:
    """readme_text with the block between the claims markers replaced by claims_md."""
    n_begin, n_end = readme_text.count(BEGIN), readme_text.count(END)
    if n_begin != 1 or n_end != 1:
        raise ValueError(
            f"the README needs exactly one {BEGIN} and one {END} line around the claims table "
            f"(found {n_begin} and {n_end})"
        )
    head, rest = readme_text.split(BEGIN)
    if END not in rest:
        raise ValueError(f"the README's {END} comes before its {BEGIN}")
    _, tail = rest.split(END)
    return f"{head}{BEGIN}\n{claims_md.strip()}\n{END}{tail}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m symla_lite.claims.summary",
        description="Rewrite the README's claims block from results/claims.csv.",
    )
    ap.add_argument("--results", default="results", help="results folder (default: results)")
    ap.add_argument("--readme", default="README.md", help="README to update (default: README.md)")
    ap.add_argument("--check", action="store_true", help="only check: exit 1 if it differs")
    args = ap.parse_args(argv)
    try:
        table = verdict.read(args.results)
        readme = Path(args.readme)
        if not readme.is_file():
            raise FileNotFoundError(f"no README at {readme}")
        old = readme.read_text()
        new = render_readme(old, markdown(table))
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if new == old:
        print(f"{readme}: the claims block is up to date")
        return 0
    if args.check:
        print(f"{readme}: the claims block differs from {args.results}/{verdict.FILE}")
        return 1
    io.write_bytes(readme, new.encode())
    print(f"{readme}: claims block rewritten from {args.results}/{verdict.FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
