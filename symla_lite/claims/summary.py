"""The claims table of a whole run: join every experiment's claims file, render it as markdown.

`join` reads results/<experiment>_claims.csv (experiments in verdict.ORDER, then any others by
name) into the one table results/claims.csv; `markdown` renders it, `render_readme` puts that
rendering between the README's `<!-- claims:begin -->` and `<!-- claims:end -->` markers, and

    python -m symla_lite.claims.summary [--results results] [--readme README.md] [--check]

rewrites that README block from results/claims.csv (--check: exit 1 if the README differs), and
every other block of `BLOCKS` whose markers the README has (`<!-- bandits:begin -->` ...) from
the CSVs that block reads (`ablations_standard`: results/standard/ablations.csv, the complete
ablation plan), so that no number of those tables is typed by hand.
"""

import argparse
import math
import sys
from pathlib import Path

import pandas as pd

from symla_lite import io, presets, verdict

MARKDOWN = "claims.md"


def markers(name: str) -> tuple[str, str]:
    """The README lines around block `name`."""
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


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
    # a smaller preset's table also holds meta-tests of shipped standard meta-parameters
    allowed = {preset, presets.SHIPPED} if presets.ships(preset) else {preset}
    found = sorted(set(df["preset"].astype(str)))
    if found and not set(found) <= allowed:
        raise ValueError(
            f"{path} was written with preset {found}, but the claims table is for preset "
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


def frame_markdown(df: pd.DataFrame) -> str:
    """A DataFrame of already formatted cells as a markdown table (header: its columns)."""
    cells = [[str(c) for c in df.columns]] + [[str(v) for v in r] for r in df.itertuples(False)]
    lines = ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells]
    lines.insert(1, "| " + " | ".join("---" for _ in df.columns) + " |")
    return "\n".join(lines) + "\n"


def bandits_block(results_dir) -> str:
    """In-distribution regret per bandit distribution: SymLA and MetaRNN (mean ± SE across
    seeds) and the fixed algorithms (± SE over test lifetimes), from bandits_baselines.csv and
    bandits_transfer.csv."""
    from symla_lite.claims import bandits

    results_dir = Path(results_dir)
    base = _read_csv(results_dir / "bandits_baselines.csv")
    transfer = _read_csv(results_dir / "bandits_transfer.csv")
    return frame_markdown(bandits.in_distribution(base, transfer))


def ablations_block(results_dir) -> str:
    """The ablation's meta-test per setting and variant, from ablations.csv: final fitness and
    score (mean ± SE across seeds), episodes per lifetime against the random policy's."""
    from symla_lite.experiments import ablations

    summ = ablations.summary(_read_csv(Path(results_dir) / "ablations.csv"))
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
    return frame_markdown(pd.DataFrame(rows))


def standard_ablations_block(results_dir) -> str:
    """ablations_block of the complete ablation plan, which the standard preset runs at lite's
    sizes and writes to results_dir/standard/ablations.csv (the default batch runs a part of it)."""
    return ablations_block(Path(results_dir) / presets.SHIPPED)


# README blocks besides the claims table: name -> renderer(results_dir) -> markdown.
BLOCKS = {"bandits": bandits_block, "ablations_standard": standard_ablations_block}


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"no {path.name} in {path.parent}: run its notebook first")
    return pd.read_csv(path)


def render_readme(readme_text: str, block_md: str, name: str = "claims") -> str:
    """readme_text with the block between the markers of `name` replaced by block_md."""
    begin, end = markers(name)
    n_begin, n_end = readme_text.count(begin), readme_text.count(end)
    if n_begin != 1 or n_end != 1:
        raise ValueError(
            f"the README needs exactly one {begin} and one {end} line around the {name} table "
            f"(found {n_begin} and {n_end})"
        )
    head, rest = readme_text.split(begin)
    if end not in rest:
        raise ValueError(f"the README's {end} comes before its {begin}")
    _, tail = rest.split(end)
    return f"{head}{begin}\n{block_md.strip()}\n{end}{tail}"


def render_all(readme_text: str, results_dir) -> str:
    """The README with its claims block and every block of BLOCKS it has markers for rendered
    from results_dir."""
    text = render_readme(readme_text, markdown(verdict.read(results_dir)))
    for name, render in BLOCKS.items():
        if markers(name)[0] in text:
            text = render_readme(text, render(results_dir), name)
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m symla_lite.claims.summary",
        description="Rewrite the README's claims block (and its other result blocks) from results/.",
    )
    ap.add_argument("--results", default="results", help="results folder (default: results)")
    ap.add_argument("--readme", default="README.md", help="README to update (default: README.md)")
    ap.add_argument("--check", action="store_true", help="only check: exit 1 if it differs")
    args = ap.parse_args(argv)
    try:
        readme = Path(args.readme)
        if not readme.is_file():
            raise FileNotFoundError(f"no README at {readme}")
        old = readme.read_text()
        new = render_all(old, args.results)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if new == old:
        print(f"{readme}: the results blocks are up to date")
        return 0
    if args.check:
        print(f"{readme}: its results blocks differ from what {args.results}/ renders")
        return 1
    io.write_bytes(readme, new.encode())
    print(f"{readme}: results blocks rewritten from {args.results}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
