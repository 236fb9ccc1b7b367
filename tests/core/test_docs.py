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


def test_every_product_setting_is_documented_with_its_default():
    from wiesci import conf

    page = (ROOT / "docs" / "reference" / "product-settings.md").read_text()
    for setting in conf.SETTINGS:
        assert f"| `{setting.name}` |" in page, setting.name
        if not isinstance(setting.default, dict):
            assert f"| `{setting.name}` | `{setting.default}` |" in page, setting.name


def test_every_command_of_the_product_has_help():
    from django.core.management import get_commands, load_command_class

    ours = {
        name: app for name, app in get_commands().items() if app.startswith("wiesci")
    }
    assert {
        "serve",
        "demo",
        "check",
        "worker",
        "renditions",
        "publish_scheduled",
    } <= set(ours)
    for name, app in ours.items():
        command = load_command_class(app, name)
        assert command.help, name
        parser = command.create_parser("wiesci", name)
        for action in parser._actions:
            if action.option_strings and action.dest not in {"help", "version"}:
                assert action.help, f"{name} {action.option_strings}"


ARCHITECTURE = ROOT / "docs" / "explanation" / "architecture.md"
LAYER_ROW = re.compile(r"^\| (\d+) \| `(wiesci\.\w+)` \|", re.MULTILINE)


def documented_layers() -> dict[str, int]:
    return {
        app: int(layer) for layer, app in LAYER_ROW.findall(ARCHITECTURE.read_text())
    }


def test_the_architecture_page_lists_every_app_of_the_product():
    from django.conf import settings

    ours = {app for app in settings.INSTALLED_APPS if app.startswith("wiesci.")}
    assert set(documented_layers()) == ours


def test_apps_import_only_from_layers_before_their_own():
    """The page's layers hold in the code: no app imports a peer or one above."""
    import ast

    layers = documented_layers()
    wrong = []
    for app, layer in layers.items():
        folder = ROOT / app.replace(".", "/")
        for path in folder.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                for name in names:
                    other = ".".join(name.split(".")[:2])
                    if other in layers and other != app and layers[other] >= layer:
                        wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_the_architecture_page_names_only_files_that_exist():
    paths = re.findall(r"`((?:wiesci|tests)/[\w/.]+\.py)`", ARCHITECTURE.read_text())
    assert paths
    assert [p for p in paths if not (ROOT / p).exists()] == []
