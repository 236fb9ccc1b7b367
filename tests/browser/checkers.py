"""The auditors' tools, run from the test suite: axe-core and the Nu HTML Checker."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v =>
    `${v.id} (${v.impact}): ${v.help} — ` +
    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""


def axe_violations(page: Any) -> list[str]:
    """WCAG 2.2 A and AA violations axe-core finds in the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's CSP does not apply.
        page.evaluate(AXE.read_text())
    violations: list[str] = page.evaluate(AXE_RUN, WCAG_22_AA)
    return violations


def html_errors(documents: dict[str, str], workdir: Path) -> dict[str, list[str]]:
    """Errors the Nu HTML Checker reports, per document name."""
    java = shutil.which("java")
    if java is None:
        raise RuntimeError(
            "java is needed for the Nu HTML Checker (Debian: default-jre-headless)"
        )
    files = {}
    for index, (name, html) in enumerate(documents.items()):
        path = workdir / f"page-{index}.html"
        path.write_text(html)
        files[str(path.resolve())] = name
    result = subprocess.run(
        [
            java,
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            *(str(workdir / f"page-{i}.html") for i in range(len(documents))),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors: dict[str, list[str]] = {}
    for message in messages:
        if message.get("type") != "error":
            continue
        where = message.get("url", "").removeprefix("file:").replace("///", "/")
        name = files.get(str(Path(where).resolve()), where)
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine')}: {message.get('message')}"
        )
    return errors
