"""Documentation that describes code must not drift from it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"\bWIESCI_[A-Z_]+\b")


def variables_read_by_the_product() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "wiesci").rglob("*.py"):
        found |= set(VARIABLE.findall(path.read_text()))
    return found


def variables_in_the_readme_table() -> set[str]:
    rows = [
        line
        for line in (ROOT / "README.md").read_text().splitlines()
        if line.startswith("| `WIESCI_")
    ]
    return {VARIABLE.search(row).group(0) for row in rows}  # type: ignore[union-attr]


def test_readme_table_lists_every_variable_the_product_reads():
    assert variables_read_by_the_product() == variables_in_the_readme_table()


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme
    assert "make test" in readme
