"""The suite's own scheduling (tests/conftest.py): a module whose tests share a module-scoped
fixture runs whole on one xdist worker, the heavy tests are scheduled first, and the compilation
cache is kept between runs within its limit."""

import re
from pathlib import Path

import conftest

ROOT = Path(__file__).resolve().parents[1]


def test_modules_sharing_a_module_scoped_fixture_run_on_one_worker():
    shared = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "tests").glob("test_*.py")
        if re.search(
            r"@pytest\.fixture\(\s*scope=[\"'](module|package|session)[\"']", p.read_text()
        )
    )
    assert shared == sorted(conftest.ONE_WORKER)


def test_heavy_tests_come_first_in_their_order(pytestconfig):
    class Item:
        def __init__(self, name, heavy):
            self.name, self.heavy = name, heavy

        def get_closest_marker(self, name):
            return name == "heavy" and self.heavy or None

    items = [Item("a", False), Item("b", True), Item("c", False), Item("d", True)]
    conftest.pytest_collection_modifyitems(pytestconfig, items)
    assert [i.name for i in items] == ["b", "d", "a", "c"]


def test_each_shared_program_group_names_heavy_tests_that_exist_and_runs_as_one_unit():
    for group, nodeids in conftest.SHARED_PROGRAMS.items():
        assert len(nodeids) >= 2, group
        for nodeid in nodeids:
            module, name = nodeid.split("::")
            source = (ROOT / module).read_text()
            assert re.search(rf"@pytest\.mark\.heavy\n(@.*\n)*def {name}\(", source), nodeid
            assert conftest.scope(nodeid) == group
    assert len(conftest._GROUP_OF) == sum(map(len, conftest.SHARED_PROGRAMS.values()))
    # the modules of ONE_WORKER stay whole; any other test is a unit of its own
    assert conftest.scope("tests/test_meta.py::test_resume_errors") == "tests/test_meta.py"
    lone = "tests/test_notebook_atlas.py::test_atlas_notebook_rejects_bad_env_ids[x]"
    assert conftest.scope(lone) == lone


def test_the_compilation_cache_is_kept_in_an_ignored_folder_and_emptied_past_its_limit(tmp_path):
    top = conftest.CACHE.relative_to(ROOT).parts[0]
    assert f"{top}/" in (ROOT / ".gitignore").read_text().split()  # never committed
    folder = tmp_path / "cache"
    assert not conftest.trim(folder, 10)  # absent: nothing to do
    (folder / "sub").mkdir(parents=True)
    (folder / "a").write_bytes(b"x" * 6)
    (folder / "sub" / "b").write_bytes(b"x" * 4)
    assert not conftest.trim(folder, 10) and folder.is_dir()  # 10 bytes: within the limit
    assert conftest.trim(folder, 9) and not folder.exists()
