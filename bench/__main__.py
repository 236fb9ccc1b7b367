"""Run the benchmark sections: `python -m bench [SECTION…]`.

Each section is a module with `run() -> SectionResult`; its table is printed
and its part of docs/benchmarks.md rewritten. A section that fails leaves its
previous results in the file and makes the exit status non-zero.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback

from bench import common

# Name in the doc's markers -> module. Run in this order by default.
SECTIONS = {
    "http": "bench.http",
    "photos": "bench.photos",
    "large-photos": "bench.large_photos",
    "search": "bench.search",
    "archive": "bench.archive",
    "wordpress": "bench.wordpress",
    "comments": "bench.comments",
    "lighthouse": "bench.lighthouse",
    "flood": "bench.flood",
    "render": "bench.render",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "sections",
        nargs="*",
        metavar="SECTION",
        help=f"sections to run (default: all): {', '.join(SECTIONS)}",
    )
    parser.add_argument(
        "--no-write",
        action="store_true",
        help=f"print only; leave {common.DOC.relative_to(common.ROOT)} unchanged",
    )
    options = parser.parse_args(argv)
    unknown = [name for name in options.sections if name not in SECTIONS]
    if unknown:
        parser.error(
            f"unknown section {', '.join(unknown)}; known: {', '.join(SECTIONS)}"
        )
    failed = []
    for name in options.sections or list(SECTIONS):
        out = sys.stdout
        out.write(f"\n=== bench: {name} ===\n")
        out.flush()
        started = time.monotonic()
        try:
            result = importlib.import_module(SECTIONS[name]).run()
        except Exception:  # one broken section must not hide the others
            traceback.print_exc()
            failed.append(name)
            continue
        out.write(result.console.rstrip() + "\n")
        out.write(f"({name}: {time.monotonic() - started:.0f} s)\n")
        if not result.ok:
            failed.append(name)
        # Numbers are recorded whether or not the goals were met; the section
        # itself says which.
        if not options.no_write and result.markdown:
            common.rewrite_section(name, result.markdown)
            out.write(f"Wrote the {name} section of {common.DOC}\n")
        out.flush()
    if failed:
        sys.stderr.write(f"bench: failed: {', '.join(failed)}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
