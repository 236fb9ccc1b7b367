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

# `ignore` maps a rule to a CSS selector: nodes inside a match do not count.
AXE_RUN = """async ([tags, ignore]) => {
  const result = await axe.run(
    document, {runOnly: {type: "tag", values: tags}, elementRef: true});
  return result.violations
    .map(v => [v, v.nodes.filter(
      n => !(ignore[v.id] && n.element && n.element.closest(ignore[v.id])))])
    .filter(([v, nodes]) => nodes.length)
    .map(([v, nodes]) =>
      `${v.id} (${v.impact}): ${v.help} — ` +
      nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""


def axe_violations(page: Any, ignore: dict[str, str] | None = None) -> list[str]:
    """WCAG 2.2 A and AA violations axe-core finds in the page as it is now.

    `ignore` maps an axe rule id to a CSS selector whose elements the rule
    may fail on; keep each such exclusion narrow and give its reason.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's CSP does not apply.
        page.evaluate(AXE.read_text())
    violations: list[str] = page.evaluate(AXE_RUN, [WCAG_22_AA, ignore or {}])
    return violations


# WCAG 2.2, 2.5.8 Target Size (Minimum): a target is at least 24 by 24 CSS
# pixels, except
# - inline: a link that is part of a sentence, i.e. laid out inline in a block
#   whose own text outside any target has at least one letter (a bare
#   separator such as "·" does not make a sentence);
# - spacing: an undersized target whose 24 px circle, centred on its box,
#   touches no other target and no other undersized target's circle.
# Targets are the visible links, buttons, inputs, selects, text areas and
# summaries; their box is getBoundingClientRect() (a wrapping link's box covers
# the image or the text it wraps).
TAP_TARGETS = """() => {
  const MIN = 24;
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, ' +
                   'summary, [role=button], [tabindex]:not([tabindex="-1"])';
  const all = [...document.querySelectorAll(selector)];
  const visible = all.filter(e => {
    if (!e.checkVisibility({opacityProperty: true, visibilityProperty: true}))
      return false;
    const r = e.getBoundingClientRect();
    // Clipped to 1 px: .visually-hidden text for screen readers, not a target.
    return r.width > 1 && r.height > 1;
  });
  const targets = new Set(visible);
  const blockOf = e => {
    let b = e.parentElement;
    while (b && getComputedStyle(b).display.startsWith('inline'))
      b = b.parentElement;
    return b;
  };
  const inSentence = e => {
    if (getComputedStyle(e).display !== 'inline') return false;
    const block = blockOf(e);
    if (!block) return false;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    let text = '';
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const owner = n.parentElement.closest(selector);
      if (!owner || !targets.has(owner) || !block.contains(owner)) text += n.data;
    }
    return /\\p{L}/u.test(text);
  };
  const label = e => {
    const name = (e.innerText || e.getAttribute('aria-label') || e.value ||
                  e.getAttribute('name') || '').trim().replace(/\\s+/g, ' ');
    return `<${e.tagName.toLowerCase()}> "${name.slice(0, 40)}"`;
  };
  const boxes = visible.map(e => ({e, r: e.getBoundingClientRect()}));
  const small = boxes.filter(({e, r}) =>
    (r.width < MIN - 0.01 || r.height < MIN - 0.01) && !inSentence(e));
  const centre = r => [r.left + r.width / 2, r.top + r.height / 2];
  const circleHitsBox = ([x, y], r) => {
    const dx = x - Math.max(r.left, Math.min(x, r.right));
    const dy = y - Math.max(r.top, Math.min(y, r.bottom));
    return dx * dx + dy * dy < (MIN / 2) ** 2 - 0.01;
  };
  const problems = [];
  for (const s of small) {
    const c = centre(s.r);
    const crowded = boxes.some(o =>
        o.e !== s.e && !o.e.contains(s.e) && !s.e.contains(o.e) &&
        (circleHitsBox(c, o.r) ||
         (small.includes(o) && Math.hypot(...centre(o.r).map((v, i) => v - c[i]))
                               < MIN - 0.01)));
    if (crowded)
      problems.push(`${label(s.e)} ${s.r.width.toFixed(1)}×${s.r.height.toFixed(1)}`);
  }
  return problems;
}"""

# Every element that holds text a reader reads or types.
TEXT_ELEMENTS = (
    "p, li, a, time, span, figcaption, label, button, input, textarea, select, "
    "summary, legend, dd, dt, td, th"
)

# Fields count even when empty: what the reader types there is text too.
SMALL_TEXT = """(selector) => [...document.querySelectorAll(selector)]
  .filter(e => e.checkVisibility() && !e.matches('[type=checkbox], [type=radio]') &&
          (e.matches('input, textarea, select') || e.textContent.trim()))
  .map(e => [e, parseFloat(getComputedStyle(e).fontSize)])
  .filter(([e, size]) => size < 16)
  .map(([e, size]) => `<${e.tagName.toLowerCase()}> ${size}px "` +
       (e.textContent || e.value || e.name || '').trim().slice(0, 30) + '"')"""


def small_tap_targets(page: Any) -> list[str]:
    """Targets under 24 by 24 CSS pixels with neither WCAG 2.5.8 exception."""
    problems: list[str] = page.evaluate(TAP_TARGETS)
    return problems


def small_text(page: Any) -> list[str]:
    """Visible text, typed text included, set under 16 CSS pixels."""
    problems: list[str] = page.evaluate(SMALL_TEXT, TEXT_ELEMENTS)
    return problems


def horizontal_overflow(page: Any, width: int) -> int | None:
    """How wide the page scrolls when it is wider than `width`, else None."""
    scroll: int = page.evaluate("document.documentElement.scrollWidth")
    return scroll if scroll > width else None


def status_problem(response: Any, expected: int) -> str | None:
    """What is wrong with a page's answer, if it is not `expected`.

    A redirect counts as wrong: a reader page that sends its visitor to the
    log-in page would otherwise pass as the log-in page's 200.
    """
    if response is None:
        return "no response"
    if response.request.redirected_from is not None:
        return f"redirected to {response.url}"
    if response.status != expected:
        return f"answered {response.status}, expected {expected}"
    return None


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


# Controls and headings whose boxes cross another's: one drawn over the other
# (the admin's object tools over the headline, a button over a field). An
# element and what it contains do not count; boxes that only touch do not.
# Labels are left out: a block label's box spans the row its text sits in.
OVERLAPS = """(root) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, ' +
                   'h1, h2, .title-preview';
  const scope = document.querySelector(root) || document.body;
  const shown = [...scope.querySelectorAll(selector)].filter(e => {
    if (!e.checkVisibility({opacityProperty: true, visibilityProperty: true}))
      return false;
    const r = e.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  });
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    ' "' + (e.textContent || e.value || e.name || '').trim().slice(0, 30) + '"';
  const found = [];
  for (let i = 0; i < shown.length; i++) {
    const a = shown[i], ra = a.getBoundingClientRect();
    for (let j = i + 1; j < shown.length; j++) {
      const b = shown[j];
      if (a.contains(b) || b.contains(a)) continue;
      const rb = b.getBoundingClientRect();
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 2 && h > 2) found.push(name(a) + ' × ' + name(b));
    }
  }
  return found;
}"""


def overlapping(page: Any, root: str = "#content") -> list[str]:
    """Pairs of controls or headings drawn over each other inside `root`."""
    problems: list[str] = page.evaluate(OVERLAPS, root)
    return problems
