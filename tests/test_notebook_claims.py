"""The claims notebook joins the experiments' claims files into results/claims.csv and claims.md."""

import json

import pandas as pd
import papermill
import pytest

from symla_lite import verdict
from symla_lite.claims import pages, summary


def claims_rows(experiment: str, preset: str, n: int) -> pd.DataFrame:
    rows = [
        verdict.row(
            f"{experiment} claim {i}",
            experiment,
            "regret",
            [1.0 + i, 1.1 + i, 0.9 + i],
            (3.0, 0.05),
            "lower" if i % 2 else "higher",
            preset,
        )
        for i in range(n)
    ]
    return verdict.table(rows)


def write_claims(results, preset="smoke"):
    """Two experiments' claims files, written in the reverse of verdict.ORDER."""
    results.mkdir(parents=True, exist_ok=True)
    tables = {}
    for exp, n in (("unseen_tasks", 2), ("bandits", 3)):
        tables[exp] = claims_rows(exp, preset, n)
        tables[exp].to_csv(results / f"{exp}{verdict.SUFFIX}", index=False)
    return tables


def test_claims_notebook_joins_in_order(tmp_path, run_notebook, check_figure_and_record):
    tables = write_claims(tmp_path / "results")
    d = run_notebook("claims")
    joined = pd.read_csv(d["results"] / verdict.FILE)
    expected = pd.concat(
        [pd.read_csv(d["results"] / f"{e}{verdict.SUFFIX}") for e in ("bandits", "unseen_tasks")],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(joined, expected)
    assert list(joined.columns) == list(verdict.COLUMNS)
    assert list(joined["experiment"]) == ["bandits"] * 3 + ["unseen_tasks"] * 2
    assert set(joined["verdict"]) <= set(verdict.VERDICTS)
    check_figure_and_record(d, "claims")
    for ext in ("png", "pdf"):  # the glance figure beside the per-claim one
        assert (d["figures"] / f"claims_glance.{ext}").stat().st_size > 1000
    md = (d["results"] / "claims.md").read_text()
    assert md == summary.markdown(joined)
    assert md.startswith(
        f"**{verdict.title('bandits')}**\n\n| claim | SymLA ± SE | baseline ± SE | z |"
    )
    for claim in pd.concat(tables.values())["claim"]:
        assert f"| {claim} |" in md
    record = json.loads((d["results"] / "outputs" / "claims.json").read_text())
    assert sorted(record["inputs"]) == sorted(
        str(d["results"] / f"{e}{verdict.SUFFIX}") for e in tables
    )
    assert str(d["results"] / "claims.md") in record["files"]
    assert str(d["results"] / verdict.FILE) in record["files"]


def test_claims_notebook_rejects_another_preset(tmp_path, run_notebook):
    write_claims(tmp_path / "results", preset="lite")
    with pytest.raises(papermill.PapermillExecutionError) as e:
        run_notebook("claims")
    msg = str(e.value)
    assert "written with preset ['lite']" in msg and "'smoke'" in msg
    assert not (tmp_path / "results" / verdict.FILE).exists()


def test_a_lite_table_holds_rows_of_shipped_standard_meta_parameters(tmp_path):
    lite = claims_rows("unseen_observations", "lite", 2)
    std = claims_rows("unseen_observations", "standard", 2).assign(
        claim=lambda d: d["claim"] + " (standard preset)"
    )
    pd.concat([lite, std]).to_csv(tmp_path / f"unseen_observations{verdict.SUFFIX}", index=False)
    joined = summary.join(summary.find(tmp_path), "lite")
    assert list(joined["preset"]) == ["lite", "lite", "standard", "standard"]
    for preset in ("standard", "paper"):  # only presets below standard ship
        with pytest.raises(ValueError, match="written with preset \\['lite', 'standard'\\]"):
            summary.join(summary.find(tmp_path), preset)
    claims_rows("bandits", "paper", 1).to_csv(tmp_path / f"bandits{verdict.SUFFIX}", index=False)
    with pytest.raises(ValueError, match="written with preset \\['paper'\\]"):
        summary.join(summary.find(tmp_path), "lite")


def test_join_rejects_a_malformed_file(tmp_path):
    write_claims(tmp_path)
    df = pd.read_csv(tmp_path / f"bandits{verdict.SUFFIX}").drop(columns=["symla_sem"])
    df.to_csv(tmp_path / f"bandits{verdict.SUFFIX}", index=False)
    with pytest.raises(ValueError, match=r"lacks the columns \['symla_sem'\]"):
        summary.join(summary.find(tmp_path), "smoke")


def test_find_orders_known_experiments_first(tmp_path):
    for name in ("zeta", "unseen_tasks", "alpha", "bandits"):
        (tmp_path / f"{name}{verdict.SUFFIX}").write_text("")
    (tmp_path / verdict.FILE).write_text("")
    (tmp_path / f".bandits_claims.1234{verdict.SUFFIX}").write_text("")  # a temporary file
    names = [p.name for p in summary.find(tmp_path)]
    assert names == [f"{n}{verdict.SUFFIX}" for n in ("bandits", "unseen_tasks", "alpha", "zeta")]


README = "# Title\n\nintro\n\n<!-- claims:begin -->\nold table\n<!-- claims:end -->\n\nmore\n"


def test_render_readme_replaces_the_block():
    new = summary.render_readme(README, "| a | b |\n")
    assert (
        new == "# Title\n\nintro\n\n<!-- claims:begin -->\n| a | b |\n<!-- claims:end -->\n\nmore\n"
    )
    assert summary.render_readme(new, "| a | b |\n") == new  # idempotent
    with pytest.raises(ValueError, match="claims:begin"):
        summary.render_readme("# no markers\n", "x")
    with pytest.raises(ValueError, match="comes before"):
        summary.render_readme("<!-- claims:end -->\n<!-- claims:begin -->\n", "x")


def test_summary_cli_rewrites_and_checks(tmp_path, capsys):
    tables = write_claims(tmp_path / "results")
    joined = summary.join(summary.find(tmp_path / "results"), "smoke")
    joined.to_csv(tmp_path / "results" / verdict.FILE, index=False)
    readme = tmp_path / "README.md"
    readme.write_text(README)
    args = ["--results", str(tmp_path / "results"), "--readme", str(readme)]
    assert summary.main([*args, "--check"]) == 1
    assert readme.read_text() == README
    assert summary.main(args) == 0
    text = readme.read_text()
    assert tables["bandits"]["claim"][0] in text and "old table" not in text
    assert summary.main([*args, "--check"]) == 0
    readme.write_text("no markers\n")
    assert summary.main(args) == 2
    assert "claims:begin" in capsys.readouterr().err
    readme.write_text(README)
    assert summary.main(["--results", str(tmp_path / "nowhere"), "--readme", str(readme)]) == 2
    assert "no claims table" in capsys.readouterr().err


def test_markdown_rounds_to_the_standard_error():
    assert summary.pm(1.23456, 0.0123) == "1.235 ± 0.012"
    assert summary.pm(250.4, 13.0) == "250 ± 13"
    assert summary.pm(2.0, float("nan")) == "2 ± n/a"
    assert summary.pm(2.0, 0.0) == "2 ± 0"
    assert summary.markdown(verdict.table([])).startswith("No claims yet")


def test_frame_markdown_escapes_and_aligns():
    df = pd.DataFrame({"a": ["x|y", "z"], "b": [1, 2.5]})
    assert summary.frame_markdown(df) == "| a | b |\n| --- | --- |\n| x\\|y | 1.0 |\n| z | 2.5 |\n"


def test_render_all_fills_only_the_blocks_the_readme_has(tmp_path):
    results = tmp_path / "results"
    write_claims(results)
    summary.join(summary.find(results), "smoke").to_csv(results / verdict.FILE, index=False)
    tests = pd.DataFrame(
        [
            dict(setting="grid", variant=v, seed=s, lifetime=200, final_fitness=f + s,
                 episodes=20.0 + s, score=f - s, random_episodes=22.0, preset="smoke")
            for v, f in (("base", 1.0), ("mean", 9.0))
            for s in range(3)
        ]
    )  # fmt: skip
    with pytest.raises(FileNotFoundError, match="ablations.csv in .*standard"):
        pages.render_page(README + "<!-- ablations_standard:begin -->\n", results)
    (results / "standard").mkdir()
    tests.to_csv(results / "standard" / "ablations.csv", index=False)  # the complete plan's
    markers = "<!-- ablations_standard:begin -->\n<!-- ablations_standard:end -->\n"
    text = pages.render_page(README + markers, results)
    block = text.split("<!-- ablations_standard:begin -->\n")[1].split("<!-- ablations_")[0]
    assert (
        block.splitlines()[2]
        == "| grid | base | 3 | 2.00 ± 0.58 | 0.00 ± 0.58 | 21.00 ± 0.58 (22.00) |"
    )
    assert "| grid | mean | 3 |" in block
    assert pages.render_page(README, results).count("<!--") == 2  # no bandits or ablations block
    with pytest.raises(FileNotFoundError, match="bandits_baselines.csv"):
        pages.render_page(README + "<!-- bandits:begin -->\n<!-- bandits:end -->\n", results)
