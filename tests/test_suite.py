"""The suite's own scheduling (tests/conftest.py): a module whose tests share a module-scoped
fixture runs whole on one xdist worker, and the heavy tests are scheduled first."""

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
