"""The package's shape: small modules, each saying what it holds, no import cycle, experiments that
do not import each other, and plotting libraries imported only where plots are drawn."""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "symla_lite"
MAX_LINES = 350
ROOT = PACKAGE.parent


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(path: Path, names: set[str]) -> set[str]:
    """The package modules `path` imports at module level (top-level statements only)."""
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in found if m in names}


def test_modules_are_small_and_say_what_they_hold():
    for name, path in modules().items():
        n = len(path.read_text().splitlines())
        assert n <= MAX_LINES, f"{name} has {n} lines (at most {MAX_LINES})"
        doc = ast.get_docstring(ast.parse(path.read_text()))
        assert doc and len(doc.split()) >= 5, (
            f"{name} has no opening docstring saying what it holds"
        )


def test_no_import_cycle():
    mods = modules()
    # a package being initialised before its modules is no cycle: ancestors are not edges
    graph = {
        m: {n for n in imports(p, set(mods)) if n != m and not m.startswith(n + ".")}
        for m, p in mods.items()
    }
    state: dict[str, int] = {}

    def visit(m, path):
        if state.get(m) == 1:
            raise AssertionError("import cycle: " + " -> ".join([*path, m]))
        if state.get(m) == 2:
            return
        state[m] = 1
        for n in sorted(graph[m]):
            visit(n, [*path, m])
        state[m] = 2

    for m in sorted(graph):
        visit(m, [])


def test_experiments_do_not_import_each_other():
    mods = modules()
    exps = {m for m in mods if m.startswith("symla_lite.experiments.")}
    for m in exps:
        other = imports(mods[m], set(mods)) & (exps - {m})
        assert not other, f"{m} imports {sorted(other)}"


def test_computation_imports_no_plotting_library():
    """Only symla_lite.plots imports matplotlib or seaborn (gymnax imports both itself when it is
    imported, so this is checked in the source, not in sys.modules)."""
    for name, path in modules().items():
        if name.startswith("symla_lite.plots"):
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                )
                bad = [n for n in names if n and n.split(".")[0] in ("matplotlib", "seaborn")]
                assert not bad, f"{name} imports {bad}"


def test_design_page_module_table_lists_every_module():
    lines = [
        x for x in (ROOT / "docs" / "design.md").read_text().splitlines() if x.startswith("| `")
    ]
    for name in modules():
        if name.endswith("__main__"):
            continue
        parent, _, last = name.rpartition(".")
        listed = any(f"`{name}`" in x or (f"`{parent}." in x and f"`.{last}`" in x) for x in lines)
        assert listed, f"docs/design.md's module table does not list {name}"


def test_readme_and_docs_blocks_are_rendered_from_the_committed_results():
    """Every rendered block of the README and of docs/*.md is exactly what
    `python -m symla_lite.claims.summary` renders from results/."""
    from symla_lite.claims import summary

    assert (ROOT / "results" / "claims.csv").exists(), "results/claims.csv is not committed"
    code = summary.main(
        ["--results", str(ROOT / "results"), "--readme", str(ROOT / "README.md"), "--check"]
    )
    assert code == 0, "a rendered block is stale: run python -m symla_lite.claims.summary"


# Numbers the README may state in its own words: none of them is a result.
NOT_RESULTS = {"3.11": "the Python version the commands need", "2022": "the paper's year"}


def prose(text: str) -> str:
    """The README without its rendered blocks, code, link targets and HTML comments."""
    from symla_lite.claims import pages, summary

    for name in pages.BLOCKS:
        begin, end = summary.markers(name)
        text = re.sub(re.escape(begin) + ".*?" + re.escape(end), "", text, flags=re.S)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


def test_readme_is_short_and_every_number_in_it_is_rendered():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 250 and len(readme.encode()) <= 16_000
    assert readme.startswith("# symla_lite\n\n```bash\n./run_all.sh\n")
    numbers = re.findall(r"\d+(?:[.,]\d+)*", prose(readme))
    typed = sorted(set(numbers) - set(NOT_RESULTS))
    assert not typed, f"numbers typed by hand in the README, not rendered from results: {typed}"
    commit = re.search(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b", readme)
    assert not commit, f"a commit hash in the README: {commit.group()}"
    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        assert (ROOT / link).exists(), f"the README links to {link}, which does not exist"


def test_prose_keeps_only_what_is_typed_by_hand():
    text = "a 12 `b 3` [c 4](d5.md)\n```\n6\n```\n<!-- claims:begin -->\n7\n<!-- claims:end -->\n"
    assert re.findall(r"\d+", prose(text)) == ["12", "4"]
