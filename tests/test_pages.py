"""The rendered blocks of the README and docs/ (symla_lite.claims.pages) and the glance figure."""

import json
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

from symla_lite import presets, verdict
from symla_lite.claims import pages, summary
from symla_lite.plots import claims as P

matplotlib.use("Agg")


def table() -> pd.DataFrame:
    rows = [
        verdict.row("b wins", "bandits", "regret", [1.0, 1.1, 0.9], (3.0, 0.05), "lower", "smoke"),
        verdict.row("b loses", "bandits", "regret", [5.0, 5.1, 4.9], (3.0, 0.05), "lower", "smoke"),
        verdict.row("t tie", "unseen_tasks", "m", [1.0, 2.0, 3.0], (2.0, 0.1), "higher", "smoke"),
        verdict.row("t flat", "unseen_tasks", "m", [0.0, 0.0, 0.0], (0.0, 0.0), "higher", "smoke"),
        verdict.row("t huge", "unseen_tasks", "m", [9.0, 9.0, 9.0], (0.0, 0.0), "higher", "smoke"),
    ]
    return verdict.table(rows)


def test_markdown_is_one_table_per_experiment_with_z():
    text = summary.markdown(table())
    parts = text.split("\n\n")
    assert parts[0] == f"**{verdict.title('bandits')}**"
    assert parts[2] == f"**{verdict.title('unseen_tasks')}**"
    lines = text.splitlines()
    assert (
        lines[2] == "| claim | SymLA ± SE | baseline ± SE | z | smallest effect | seeds | verdict |"
    )
    z = (3.0 - 1.0) / math.hypot(0.1 / math.sqrt(3), 0.05)
    assert lines[4] == f"| b wins | 1.000 ± 0.058 | 3.000 ± 0.050 | {z:.1f} |  | 3 | reproduced |"
    assert "| t flat | 0 ± 0 | 0 ± 0 | n/a |  | 3 | inconclusive |" in lines
    assert summary.least_cell(6.0) == "6" and summary.least_cell(float("nan")) == ""
    assert summary.z_cell(math.inf) == "+inf" and summary.z_cell(-math.inf) == "-inf"


def test_counts_sentence():
    assert summary.counts(table()) == (
        "5 claims, each over at least 3 seeds: 2 reproduced, 1 not_reproduced, 2 inconclusive.\n"
    )
    assert summary.counts(verdict.table([])) == "No claims yet."


def write_notebook(path, title):
    cell = {"cell_type": "markdown", "metadata": {}, "source": [f"# {title}\n", "\n", "text"]}
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4}))


def test_notebooks_block_reads_titles_and_the_manifest(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_notebook(nbs / "beta.ipynb", "Beta: the second")
    write_notebook(nbs / "alpha.ipynb", "Alpha things")
    results = tmp_path / "results"
    results.mkdir()
    runs = {"alpha": {"wall_time_s": 61.0, "executed": "notebooks/executed/alpha.ipynb"},
            "beta": {"wall_time_s": 600.0, "executed": "notebooks/executed/beta.ipynb"}}  # fmt: skip
    (results / "manifest.json").write_text(json.dumps({"notebooks": runs}))
    lines = pages.notebooks_block(results, nbs).splitlines()
    assert lines[2] == "| [alpha](notebooks/executed/alpha.ipynb) | Alpha things | 61 s |"
    assert lines[3] == "| [beta](notebooks/executed/beta.ipynb) | Beta: the second | 10.0 min |"
    assert lines[4] == "| all | | 11.0 min |"
    (nbs / "gamma.ipynb").write_text(json.dumps({"cells": [], "nbformat": 4}))
    with pytest.raises(ValueError, match="gamma.ipynb: its first markdown cell has no '# ' title"):
        pages.notebooks_block(results, nbs)


def test_presets_block_is_the_presets_table(tmp_path):
    text = pages.presets_block(tmp_path)
    p = presets.preset("paper", "rl")
    assert presets.preset("lite", "rl") == presets.preset("standard", "rl")
    assert "| lite and standard, rl | " in text
    row = "| paper, rl | " + " | ".join(str(p[k]) for k, _ in pages.PRESET_COLUMNS) + " |"
    assert row in text.splitlines()
    for (name, exp), fields in presets.EXPERIMENTS.items():
        seeds = fields.get("seeds", presets.NUM_SEEDS)
        p = {**presets.preset(name, "rl"), **fields}
        cells = " | ".join(str(p[k]) for k, _ in pages.PRESET_COLUMNS)
        assert f"| {name}, `{exp}` ({seeds} seeds) | {cells} |" in text
    assert "Last recorded batch time per preset (its manifest): none." in text
    (tmp_path / "manifest.json").write_text(json.dumps({"notebooks": {"a": {"wall_time_s": 30}}}))
    assert "`lite` 30 s (1 notebooks)" in pages.presets_block(tmp_path)


def test_cli_renders_the_readme_and_every_docs_page(tmp_path, capsys):
    results = tmp_path / "results"
    results.mkdir()
    table().to_csv(results / verdict.FILE, index=False)
    readme = tmp_path / "README.md"
    readme.write_text("# R\n<!-- claims_counts:begin -->\n<!-- claims_counts:end -->\n")
    args = ["--results", str(results), "--readme", str(readme)]
    assert pages.main(args) == 2  # the README must hold the claims table
    assert "has no claims block" in capsys.readouterr().err
    readme.write_text(readme.read_text() + "<!-- claims:begin -->\n<!-- claims:end -->\n")
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "results.md"
    page.write_text("# Results\n<!-- claims:begin -->\nstale\n<!-- claims:end -->\n")
    assert pages.main([*args, "--check"]) == 1
    assert "stale" in page.read_text()
    assert pages.main(args) == 0
    assert "| b wins |" in page.read_text() and "stale" not in page.read_text()
    assert "5 claims" in readme.read_text()
    assert pages.main([*args, "--check"]) == 0


def test_glance_puts_every_claim_at_its_z():
    df = table()
    fig = P.glance(df)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(df["claim"])
    points = {}
    for line in ax.get_lines():
        x, y = line.get_xdata(), line.get_ydata()
        if len(x) == 1 and line.get_marker() in ("o", "x", ">", "<"):
            points[float(y[0])] = (float(x[0]), line.get_marker())
    got = [points[t] for t in ax.get_yticks()]
    z = list(df["z"])
    assert got[0] == (pytest.approx(P.Z_LIMIT), ">")  # beyond the axis: at the edge
    assert got[1][1] == "<" and got[1][0] == pytest.approx(-P.Z_LIMIT)
    assert got[2] == (pytest.approx(z[2]), "o")
    assert got[3] == (0.0, "x")  # no effect and no spread: no z
    assert math.isinf(z[4]) and got[4] == (pytest.approx(P.Z_LIMIT), ">")
    assert "2 reproduced, 1 not_reproduced, 2 inconclusive" in fig._suptitle.get_text()
    matplotlib.pyplot.close(fig)


def test_machine_block_names_each_machine_of_the_manifest(tmp_path):
    assert pages.machine_block(tmp_path) == "No batch has written a manifest here yet.\n"
    run = {
        "device": {"backend": "cpu", "count": 2, "machine": {"cpu": "Xeon", "cpu_count": 2}},
        "versions": {"python": "3.11.7", "jax": "0.10.2", "flax": "0.12.8", "numpy": "2"},
    }
    runs = {"a": run, "b": run}
    (tmp_path / "manifest.json").write_text(json.dumps({"notebooks": runs}))
    assert pages.machine_block(tmp_path) == (
        "- Xeon, 2 cores, 2 JAX cpu devices; Python 3.11.7, jax 0.10.2, flax 0.12.8\n"
    )
    other = {**run, "device": {**run["device"], "count": 1}}
    (tmp_path / "manifest.json").write_text(json.dumps({"notebooks": {"a": run, "b": other}}))
    assert len(pages.machine_block(tmp_path).splitlines()) == 2


def test_brief_table_counts_the_per_environment_claims_in_one_line():
    rows = [
        verdict.row(
            f"atlas, E{i}: SymLA learns",
            "atlas",
            "m",
            [1.0, 1.1, 0.9],
            (0.0, 0.1),
            "higher",
            "lite",
        )
        for i in range(3)
    ] + [verdict.row("atlas: a count", "atlas", "m", [1, 2, 3], (0.0, 0.1), "higher", "lite")]
    rows[1] = verdict.row("atlas, E1: SymLA learns", "atlas", "m", [0, 0.1, -0.1], (0.0, 0.1),
                          "higher", "lite")  # fmt: skip
    df = verdict.table(rows)
    full, brief = summary.markdown(df), summary.markdown(df, brief=True)
    assert all(f"atlas, E{i}" in full for i in range(3))
    assert not any(f"atlas, E{i}" in brief for i in range(3)) and "atlas: a count" in brief
    assert "3 claims, one per environment (2 reproduced, 0 not_reproduced, 1 inconclusive)" in brief
    assert pages.BLOCKS["claims_brief"] is pages.claims_brief_block


def test_brief_table_folds_the_claims_without_a_z():
    flat = [5.0, 5.0, 5.0]  # no spread on either side: z undefined, inconclusive by the rule
    rows = [
        verdict.row("a: moves", "unseen_tasks", "m", [1.0, 1.1, 0.9], (0.0, 0.1), "higher", "lite"),
        verdict.row("a: flat", "unseen_tasks", "m", flat, (5.0, 0.0), "higher", "lite"),
    ]
    df = verdict.table(rows)
    assert df["verdict"].iloc[1] == "inconclusive" and np.isnan(df["z"].iloc[1])
    full, brief = summary.markdown(df), summary.markdown(df, brief=True)
    assert "a: flat" in full and "a: flat" not in brief and "a: moves" in brief
    assert "1 more, inconclusive with z undefined" in brief
    assert "z undefined" not in summary.markdown(df.iloc[:1], brief=True)
