"""The claims table of a whole run: join every experiment's claims file, render it as markdown.

`join` reads results/<experiment>_claims.csv (experiments in verdict.ORDER, then any others by
name) into the one table results/claims.csv; `markdown` renders it, one table per experiment, and
`render_readme` puts a rendering between a page's `<!-- name:begin -->` and `<!-- name:end -->`
markers. `python -m symla_lite.claims.summary [--check]` rewrites every rendered block of the
README and of docs/*.md (`symla_lite.claims.pages`).
"""

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
    df = verdict.complete(pd.read_csv(path), path)
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


def z_cell(z) -> str:
    """RULE's z-score as the claims table shows it: one decimal, ±inf, or n/a."""
    if z is None or (isinstance(z, float) and math.isnan(z)):
        return "n/a"
    if math.isinf(z):
        return "+inf" if z > 0 else "-inf"
    return f"{z:.1f}"


def least_cell(value) -> str:
    """The smallest effect that matters as the claims table shows it: 3 significant digits, or
    empty where the claim states none."""
    if value is None or not math.isfinite(value):
        return ""
    return f"{value:.3g}"


# Experiments with one claim per environment ("<experiment>, <env>: ..."): the brief table (the
# README's) counts those rows per verdict in one line and keeps the experiment's other rows.
PER_ENVIRONMENT = ("atlas",)


def verdict_counts(rows: pd.DataFrame) -> str:
    """ "N reproduced, M not_reproduced, K inconclusive" of `rows`."""
    n = rows["verdict"].value_counts()
    return ", ".join(f"{int(n.get(v, 0))} {v}" for v in verdict.VERDICTS)


def markdown(df: pd.DataFrame, brief: bool = False) -> str:
    """The claims table as markdown, one table per experiment (in the table's order) under its
    title: claim, SymLA ± SE, baseline ± SE, z (the verdict rule's), the smallest effect that
    matters (where the claim states one), seeds, verdict. `brief`: the per-environment claims of
    PER_ENVIRONMENT experiments, and the claims whose z is undefined (neither number has a spread:
    nothing to compare), each counted in one line instead of listed."""
    if not len(df):
        return "No claims yet: no experiment has written its claims file.\n"
    parts = []
    for exp in dict.fromkeys(df["experiment"]):
        rows = df[df["experiment"] == exp]
        note = ""
        if brief and exp in PER_ENVIRONMENT:
            each = rows["claim"].astype(str).str.startswith(f"{exp}, ")
            note = (
                f"\n{int(each.sum())} claims, one per environment ({verdict_counts(rows[each])}): "
                "listed in [docs/results.md](docs/results.md).\n"
            )
            rows = rows[~each]
        flat = rows["z"].astype(float).isna() if brief and "z" in rows else None
        if flat is not None and flat.any():
            note += (  # inconclusive by the rule: no z
                f"\n{int(flat.sum())} more, inconclusive with z undefined (neither number has a "
                "spread): in [docs/results.md](docs/results.md).\n"
            )
            rows = rows[~flat]
        lines = [
            f"**{verdict.title(exp)}**\n",
            "| claim | SymLA ± SE | baseline ± SE | z | smallest effect | seeds | verdict |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in rows.to_dict("records"):
            claim = str(r["claim"]).replace("|", "\\|")
            lines.append(
                f"| {claim} | {pm(r['symla'], r['symla_sem'])} | "
                f"{pm(r['baseline'], r['baseline_sem'])} | {z_cell(r.get('z'))} | "
                f"{least_cell(r.get('min_effect'))} | {int(r['n_seeds'])} | {r['verdict']} |"
            )
        parts.append(("\n".join(lines) + "\n" if len(rows) else lines[0]) + note)
    return "\n".join(parts)


def counts(df: pd.DataFrame) -> str:
    """One sentence: how many claims, over how few seeds at least, and how many per verdict."""
    if not len(df):
        return "No claims yet."
    n = df["verdict"].value_counts()
    per = ", ".join(f"{int(n.get(v, 0))} {v}" for v in verdict.VERDICTS)
    return f"{len(df)} claims, each over at least {int(df['n_seeds'].min())} seeds: {per}.\n"


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


def main(argv=None) -> int:
    """`python -m symla_lite.claims.summary`: see symla_lite.claims.pages."""
    from symla_lite.claims import pages

    return pages.main(argv)


if __name__ == "__main__":
    sys.exit(main())
