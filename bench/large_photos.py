"""Peak memory of the largest photos the limits accept, in each format.

PNG, WebP and HEIC cannot be decoded at a reduced size as JPEG can, so
`processing.check_decode_memory` refuses those whose decoding would take more
than PHOTO_MAX_DECODE_BYTES. This section builds, for each format and pixel
mode, the largest square photo that check accepts and measures, each in a
fresh process (peak resident memory, VmHWM, minus the process's memory before
the job):

- "check": `processing.inspect_upload()`, what the web server does on upload;
- "sizes": every public size in every public format, what the task worker does;
- the reference, measured in the same run: Pillow opening the same file and
  decoding it (`Image.open(…).load()`), the least any Pillow-based code needs.

The goal: every job's peak above its baseline stays under the ceiling.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import common

MODULE = "bench.large_photos"
TIMEOUT_S = 600.0
# (label, format, Pillow mode, side): the kinds of photo that reach the
# limit, at the largest side accepted (0), and the photo a probe of the
# portal once uploaded: 0.5 MB of PNG that decoding turned into a gigabyte.
KINDS = [
    ("PNG, RGB", "PNG", "RGB", 0),
    ("PNG, RGBA (transparency)", "PNG", "RGBA", 0),
    ("PNG, palette", "PNG", "P", 0),
    ("PNG, 16-bit greyscale", "PNG", "I;16", 0),
    ("WebP", "WEBP", "RGB", 0),
    ("HEIC", "HEIF", "RGB", 0),
    ("PNG, RGBA, 10900×10900: refused", "PNG", "RGBA", 10900),
]
JOBS = ["reference", "check", "sizes"]


def _django() -> None:
    """The product's own settings, on the data directory `run` made."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesci.settings")
    import django

    django.setup()


def largest_side(fmt: str, mode: str) -> int:
    from wiesci.photos import processing

    return math.isqrt(processing.largest_pixels(fmt, mode))


def make(kind: int, path: str) -> dict[str, Any]:
    """Write the largest accepted photo of `KINDS[kind]`: a gradient with a
    disc, so that every encoder has real edges to work on."""
    from PIL import Image, ImageDraw

    _, fmt, mode, side = KINDS[kind]
    side = side or largest_side(fmt, mode)
    image = Image.linear_gradient("L").resize((side, side))
    if mode in ("RGB", "RGBA", "P"):
        image = Image.merge(
            "RGB", [image, image.transpose(Image.Transpose.ROTATE_90), image]
        )
        ImageDraw.Draw(image).ellipse(
            (side // 4, side // 4, 3 * side // 4, 3 * side // 4), fill=(200, 40, 40)
        )
        if mode == "RGBA":
            image.putalpha(Image.linear_gradient("L").resize((side, side)))
        elif mode == "P":
            image = image.quantize(64)
    elif mode == "I;16":
        image = image.point(lambda value: value * 256, "I").convert("I;16")
    options: dict[str, Any] = {}
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
        options = {"quality": 80}
    elif fmt == "WEBP":
        options = {"quality": 80, "method": 0}
    elif fmt == "PNG":
        options = {"compress_level": 1}
    image.save(path, fmt, **options)
    return {"side": side, "bytes": Path(path).stat().st_size}


def measure(job: str, path: str) -> dict[str, Any]:
    _django()
    from PIL import Image
    from pillow_heif import register_heif_opener

    from wiesci.photos import processing

    register_heif_opener()  # as the product does on the first HEIC: not measured
    common.reset_peak_rss()
    baseline = common.rss_kib()
    started = time.perf_counter()
    refused = False
    with open(path, "rb") as source:
        try:
            if job == "reference":
                with Image.open(source) as decoded:
                    decoded.load()
            elif job == "check":
                processing.inspect_upload(source)
            else:
                for _, image in processing.iter_renditions(source, focal=(0.5, 0.5)):
                    for fmt in processing.public_formats():
                        processing.encode(image, fmt)
        except processing.PhotoRejected:
            refused = True
    return {
        "seconds": time.perf_counter() - started,
        "baseline_kib": baseline,
        "peak_kib": common.peak_rss_kib(),
        "refused": refused,
    }


def worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    parser.add_argument("command", choices=["make", *JOBS])
    parser.add_argument("path")
    parser.add_argument("--kind", type=int, default=0)
    options = parser.parse_args(argv)
    if options.command == "make":
        _django()
        result = make(options.kind, options.path)
    else:
        result = measure(options.command, options.path)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


def run() -> common.SectionResult:
    machine = common.Machine.snapshot()
    started = time.monotonic()
    rows, over = [], []
    with tempfile.TemporaryDirectory(prefix="wiesci-bench-") as folder:
        os.environ["WIESCI_DATA_DIR"] = str(Path(folder) / "data")
        _django()
        from wiesci import conf

        ceiling_kib = conf.PHOTO_MAX_DECODE_BYTES // 1024
        for index, (label, fmt, _, fixed) in enumerate(KINDS):
            path = str(Path(folder) / f"photo-{index}.{fmt.lower()}")
            common.say(f"  {label}: making the photo…")
            made = common.run_worker(
                MODULE, ["make", path, "--kind", str(index)], timeout=TIMEOUT_S
            )
            results = {}
            for job in JOBS:
                common.say(f"  {label}: {job}…")
                results[job] = common.run_worker(MODULE, [job, path], timeout=TIMEOUT_S)
            used = {
                job: r["peak_kib"] - r["baseline_kib"] for job, r in results.items()
            }
            worst = max(used["check"], used["sizes"])
            refused = results["check"]["refused"] and results["sizes"]["refused"]
            if worst > ceiling_kib or bool(fixed) != refused:
                over.append(label)
            side = made["side"]
            rows.append(
                [
                    label,
                    f"{side}×{side} ({side * side / 1e6:.1f} MP)",
                    common.size(made["bytes"]),
                    common.mib(used["reference"]),
                    common.mib(used["check"]) + (" (refused)" if refused else ""),
                    common.mib(used["sizes"]) + (" (refused)" if refused else ""),
                    f"{worst / used['reference']:.2f}×",
                    f"{worst / ceiling_kib:.2f}",
                    common.seconds(results["sizes"]["seconds"]),
                ]
            )
            Path(path).unlink()
    machine.finish()
    headers = [
        "photo",
        "size (largest accepted)",
        "file",
        "reference: decode",
        "check (upload)",
        "sizes (worker)",
        "worst ÷ reference",
        "worst ÷ ceiling",
        "sizes took",
    ]
    ok = not over
    verdict = (
        f"Goal met: every job stayed under the ceiling of "
        f"{common.mib(ceiling_kib)} (PHOTO_MAX_DECODE_BYTES) above its baseline, "
        "and the photo past the limits was refused before it was decoded."
        if ok
        else f"Goal NOT met (over the ceiling, or refused wrongly): {', '.join(over)}."
    )
    elapsed = time.monotonic() - started
    markdown = "\n".join(
        [
            "## The largest photos the limits accept",
            "",
            f"Measured by `bench/large_photos.py` ({elapsed:.0f} s). For each kind "
            "of photo that cannot be decoded at a reduced size, the largest square "
            "one that `processing.check_decode_memory` accepts, and the peak "
            "resident memory (VmHWM) above the process's baseline, each job in a "
            "fresh process: the upload check the web server runs, the sizes the "
            "task worker makes (every size in every format), and the reference, "
            "Pillow decoding the same file (`Image.open().load()`).",
            "",
            common.markdown_table(headers, rows),
            "",
            verdict,
            "",
            common.markdown_table(["Machine", ""], machine.rows()),
        ]
    )
    console = common.text_table(headers, rows) + "\n" + verdict
    return common.SectionResult("large-photos", console, markdown, ok=ok)


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
