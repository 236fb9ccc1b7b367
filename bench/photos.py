"""Photo renditions: ours (Pillow, wiesci/photos/processing.py) against libvips.

The job is what an upload costs: every public size of a 24-megapixel camera
JPEG in every public format, in memory (no storage writes). The reference is
libvips' own thumbnailer (`pyvips.Image.thumbnail`, one call per size from the
file, with shrink-on-load) making the same sizes in the same formats with
equivalent encoder settings, measured in the same run.

Every measurement is a fresh process (`python -m bench.photos COMMAND …`):
imports, resident memory noted, one warm-up run, one timed run, peak resident
memory (VmHWM) read at the end. Pillow and libvips allocate outside Python's
allocator, so only the process's own peak is an honest figure. The variants
run interleaved, in a rotating order, so that a noisy neighbour slows each of
them alike.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import common

ROUNDS = 7  # timed runs per variant (each after its own warm-up run)
MIN_ROUNDS = 3  # the time budget cuts rounds only down to this many
BUDGET_S = 120.0  # no new round starts after this; a hard stop at twice it
WORKER_TIMEOUT_S = 120.0
SEED = 20260509
PHOTO_SIZE = (6000, 4000)  # 24 megapixels, 3:2 like most camera sensors
VIPS_MAX_COORD = 10_000_000  # a height that never limits a width-only size
GOAL = 1.10  # the product's goal: ours at most 10 % slower than libvips
# The "peak memory under 150 MB", in bytes as the issue writes it:
# 150 MB = 143.05 MiB. Checked on the worst round, not the median.
MEMORY_GOAL_BYTES = 150 * 1000 * 1000
MODULE = "bench.photos"  # the workers: python -m bench.photos COMMAND …


@dataclass(frozen=True)
class Variant:
    key: str
    impl: str  # "ours", or the libvips strategy: "per-size" or "once"
    label: str
    env: tuple[tuple[str, str], ...] = ()


OURS = Variant("ours", "ours", "ours (Pillow)")
# The reference: libvips' thumbnailer from the file, once per size.
VIPS = Variant("pyvips", "per-size", "pyvips thumbnail per size (reference)")
# For information: libvips with ours' strategy, one thumbnail at the scale
# every size can be made from and the sizes from it in memory.
VIPS_ONCE = Variant("pyvips-once", "once", "pyvips decode once")
VARIANTS = [OURS, VIPS, VIPS_ONCE]


# --- The test photo ----------------------------------------------------------


def make_photo(path: Path) -> dict[str, Any]:
    """Write a camera-like 24 MP JPEG: a sky-to-ground gradient, soft shapes,
    texture and sensor noise, at quality 90 with an EXIF block (camera, exposure,
    GPS), the way a camera would. The same bytes on every run (fixed seed)."""
    from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageFilter

    rng = random.Random(SEED)  # noqa: S311 - test pixels, not secrets
    width, height = PHOTO_SIZE
    small = (width // 4, height // 4)
    down = Image.linear_gradient("L").resize(small)  # 0 at the top, 255 below
    across = Image.linear_gradient("L").rotate(90, expand=True).resize(small)
    centre = Image.radial_gradient("L").resize(small)
    red = ImageChops.add(
        down.point(lambda p: 90 + p * 0.35), across.point(lambda p: p * 0.15)
    )
    green = ImageChops.add(
        down.point(lambda p: 140 - p * 0.1), centre.point(lambda p: 60 - p * 0.2)
    )
    blue = down.point(lambda p: 230 - p * 0.75)
    image = Image.merge("RGB", (red, green, blue)).convert("RGBA")
    for _ in range(6):  # layers of half-transparent shapes, blurred differently
        layer = Image.new("RGBA", small, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        for _ in range(40):
            x = rng.randrange(small[0])
            y = rng.randrange(small[1] // 3, small[1])
            w, h = rng.randrange(10, 260), rng.randrange(10, 180)
            fill = (
                rng.randrange(30, 220),
                rng.randrange(40, 200),
                rng.randrange(20, 160),
                rng.randrange(70, 200),
            )
            kind = rng.randrange(3)
            if kind == 0:
                draw.ellipse((x, y, x + w, y + h), fill=fill)
            elif kind == 1:
                draw.rectangle((x, y, x + w, y + h), fill=fill)
            else:
                points = [
                    (x + rng.randrange(-150, 150), y + rng.randrange(-150, 150))
                    for _ in range(5)
                ]
                draw.polygon(points, fill=fill)
        blur = ImageFilter.GaussianBlur(rng.choice([0.5, 1, 2, 4]))
        image = Image.alpha_composite(image, layer.filter(blur))
    image = image.convert("RGB").resize(PHOTO_SIZE, Image.Resampling.BICUBIC)
    # Texture at a quarter of the size, then per-pixel sensor noise.
    texture = Image.merge(
        "RGB", [Image.effect_noise(small, 30)] * 2 + [Image.effect_noise(small, 30)]
    ).resize(PHOTO_SIZE, Image.Resampling.BILINEAR)
    grain = Image.effect_noise(PHOTO_SIZE, 5).convert("RGB")
    image = ImageChops.add(image, texture, 1, -128)
    image = ImageChops.add(image, grain, 1, -128)

    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "FUJIFILM"
    exif[ExifTags.Base.Model] = "X-T5"
    exif[ExifTags.Base.Software] = "Digital Camera X-T5 Ver3.00"
    exif[ExifTags.Base.Orientation] = 1
    exif[ExifTags.Base.DateTime] = "2026:05:09 07:35:25"
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = "2026:05:09 07:35:25"
    details[ExifTags.Base.ExposureTime] = 1 / 250
    details[ExifTags.Base.FNumber] = 5.6
    details[ExifTags.Base.ISOSpeedRatings] = 400
    details[ExifTags.Base.FocalLength] = 35.0
    details[ExifTags.Base.ColorSpace] = 1  # sRGB, with no ICC profile
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 13.0, 5.25)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (21.0, 0.0, 42.5)
    image.save(path, "JPEG", quality=90, exif=exif)
    data = path.read_bytes()
    return {
        "width": width,
        "height": height,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest()[:12],
    }


# --- Workers: one measurement per process ------------------------------------


class PhaseTimer:
    """Times the calls inside `render` that do the work, by wrapping them.

    Only the outermost wrapped call counts, so a resize that loads its image
    is not counted twice. The wrappers cost about a microsecond per call.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.decoded: list[list[int]] = []
        self._busy = False

    def _wrap(self, phase: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def timed(obj: Any, *args: Any, **kwargs: Any) -> Any:
            if self._busy:
                return original(obj, *args, **kwargs)
            self._busy = True
            started = time.perf_counter()
            try:
                return original(obj, *args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - started
                self._busy = False
                if phase == "decode" and [*obj.size] not in self.decoded:
                    self.decoded.append([*obj.size])

        return timed

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Count nothing inside (the wrapped calls an encoder makes)."""
        busy, self._busy = self._busy, True
        try:
            yield
        finally:
            self._busy = busy

    @contextmanager
    def patched(self) -> Iterator[PhaseTimer]:
        from PIL import Image, ImageCms, ImageFile

        targets: list[tuple[Any, str, str]] = [
            (ImageFile.ImageFile, "load", "decode"),
            (Image.Image, "copy", "copy"),
            (Image.Image, "resize", "resize"),
            (Image.Image, "convert", "convert"),
        ]
        saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in targets]
        for owner, name, phase in targets:
            setattr(owner, name, self._wrap(phase, owner.__dict__[name]))
        original_cms = ImageCms.profileToProfile
        ImageCms.profileToProfile = self._wrap("colour", original_cms)
        try:
            yield self
        finally:
            for owner, name, original in saved:
                setattr(owner, name, original)
            ImageCms.profileToProfile = original_cms


def _ours_job(source: str, formats: list[str]) -> dict[str, Any]:
    """The product's pipeline as `processing.write_renditions` runs it: each
    size is made (largest first) and encoded in every format before the next
    size is made, so the process holds what an upload's task holds."""
    from wiesci.photos import processing

    timer = PhaseTimer()
    encoding: dict[str, float] = dict.fromkeys(formats, 0.0)
    sizes = dict.fromkeys(formats, 0)
    dims = {}
    started = time.perf_counter()
    with open(source, "rb") as fileobj, timer.patched():
        for name, image in processing.iter_renditions(fileobj, focal=(0.5, 0.5)):
            dims[name] = list(image.size)
            for fmt in formats:
                with timer.paused():  # an encoder's own conversions are its time
                    began = time.perf_counter()
                    data = processing.encode(image, fmt)
                    encoding[fmt] += time.perf_counter() - began
                sizes[fmt] += len(data)
                del data
            del image
    total = time.perf_counter() - started
    phases = dict(timer.seconds)
    phases["other"] = total - sum(phases.values()) - sum(encoding.values())
    phases.update({f"encode {fmt}": value for fmt, value in encoding.items()})
    return {
        "phases": phases,
        "sizes": sizes,
        "dims": dims,
        "decoded": timer.decoded,
    }


def _vips_savers(quality: dict[str, int]) -> dict[str, Callable[[Any], bytes]]:
    """Encoders with settings equivalent to processing.encode: sRGB profile
    only, no other metadata."""
    meta = {"keep": "icc", "profile": "srgb"}
    return {
        "jpeg": lambda im: im.jpegsave_buffer(
            Q=quality["jpeg"], optimize_coding=True, interlace=True, **meta
        ),
        "webp": lambda im: im.webpsave_buffer(Q=quality["webp"], effort=4, **meta),
        # libheif's aom speed is 9 - effort: effort 1 is Pillow's speed 8.
        "avif": lambda im: im.heifsave_buffer(
            Q=quality["avif"],
            compression="av1",
            encoder="aom",
            effort=1,
            bitdepth=8,
            subsample_mode="on",
            **meta,
        ),
    }


def _vips_thumbnail(source: Any, spec: list[Any]) -> Any:
    """libvips' thumbnail of a file name or an image in memory: a centre crop
    of exactly width×height, or the width with the proportions kept."""
    import pyvips

    _, width, height = spec
    make = (
        pyvips.Image.thumbnail_image
        if isinstance(source, pyvips.Image)
        else pyvips.Image.thumbnail
    )
    if height:
        return make(source, width, height=height, crop="centre", size="down")
    return make(source, width, height=VIPS_MAX_COORD, size="down")


def _vips_job(
    source: str,
    specs: list[list[Any]],
    formats: list[str],
    quality: dict[str, int],
    strategy: str,
) -> dict[str, Any]:
    import pyvips

    savers = _vips_savers(quality)
    phases: dict[str, float] = defaultdict(float)
    sizes = dict.fromkeys(formats, 0)
    dims = {}
    started = time.perf_counter()
    base = None
    if strategy == "once":
        # As iter_renditions(): one image at the smallest scale every size
        # can be made from, then each size from it in memory.
        header = pyvips.Image.new_from_file(source)  # reads the header only
        width, height = header.width, header.height
        if header.get_typeof("orientation") and header.get("orientation") >= 5:
            width, height = height, width  # as thumbnail() will turn it
        scale = max(
            min(1.0, w / width) if h is None else min(1.0, max(w / width, h / height))
            for _, w, h in specs
        )
        base_spec = ["base", math.ceil(width * scale), None]
        base = _vips_thumbnail(source, base_spec).copy_memory()
        phases["thumbnail"] += time.perf_counter() - started
    for spec in specs:
        started = time.perf_counter()
        if base is not None and spec[2] is None and spec[1] >= base.width:
            thumb = base  # already in memory
        else:
            thumb = _vips_thumbnail(source if base is None else base, spec)
            # Into memory once, then each format from it, as pyvips advises
            # for several saves of one image.
            thumb = thumb.copy_memory()
        phases["thumbnail"] += time.perf_counter() - started
        dims[spec[0]] = [thumb.width, thumb.height]
        for fmt in formats:
            started = time.perf_counter()
            data = savers[fmt](thumb)
            phases[f"encode {fmt}"] += time.perf_counter() - started
            sizes[fmt] += len(data)
    return {"phases": dict(phases), "sizes": sizes, "dims": dims, "decoded": []}


def _setup_ours() -> str | None:
    """Set Django up as the task worker has it; return why not, if it fails.

    The rendition code needs only the settings, so a broken app elsewhere
    (say, a dependency not installed yet) does not stop the measurement, but
    the process then holds less than a worker does and the report says so.
    """
    import django
    from django.conf import settings

    problem = None
    try:
        django.setup()
    except Exception as error:  # reported, then the settings only
        problem = f"{type(error).__name__}: {error}"
        settings.INSTALLED_APPS  # noqa: B018 - reads the settings module
    from PIL import Image

    Image.init()  # load every format plugin before the baseline is read
    return problem


def _setup_vips() -> None:
    import logging

    import pyvips

    logging.getLogger("pyvips").setLevel(logging.WARNING)
    # The operation cache would hand the timed run the warm-up's results.
    pyvips.cache_set_max(0)


def _probe_ours() -> dict[str, Any]:
    problem = _setup_ours()
    from PIL import AvifImagePlugin, features

    from wiesci import conf
    from wiesci.photos import processing

    return {
        "specs": [[s.name, s.width, s.height] for s in processing.specs()],
        "formats": processing.public_formats(),
        "quality": conf.PHOTO_QUALITY,
        "setup_problem": problem,
        "codecs": {
            "libjpeg-turbo": features.version("libjpeg_turbo"),
            "libwebp": features.version("webp"),
            "libavif": features.version("avif"),
            "aom": AvifImagePlugin.get_codec_version("aom")
            if features.check("avif")
            else None,
        },
    }


def _probe_vips() -> dict[str, Any]:
    _setup_vips()
    import pyvips

    tiny = pyvips.Image.black(16, 16, bands=3)
    quality = {"jpeg": 80, "webp": 80, "avif": 55}
    formats = []
    for fmt, save in _vips_savers(quality).items():
        try:
            save(tiny)
        except pyvips.Error:
            continue
        formats.append(fmt)
    return {
        "formats": formats,
        "libvips": ".".join(str(pyvips.version(i)) for i in range(3)),
    }


def _measure(job: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    gc.collect()
    common.reset_peak_rss()  # so that the peak is the job's, not the imports'
    baseline = common.rss_kib()
    started = time.perf_counter()
    job()  # warm-up: first use of codecs, thread pools, page cache
    first = time.perf_counter() - started
    gc.collect()
    cpu = common.cpu_seconds()
    started = time.perf_counter()
    result = job()
    wall = time.perf_counter() - started
    cpu = common.cpu_seconds() - cpu
    return {
        **result,
        "wall": wall,
        "cpu": cpu,
        "first": first,
        "baseline_kib": baseline,
        "peak_kib": common.peak_rss_kib(),
    }


def worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.photos")
    parser.add_argument(
        "command", choices=["probe-ours", "probe-vips", "ours", "per-size", "once"]
    )
    parser.add_argument("source", nargs="?")
    parser.add_argument("--formats", default="")
    parser.add_argument("--extra", default="", help="ours only, timed after")
    parser.add_argument("--specs", default="[]")
    parser.add_argument("--quality", default="{}")
    options = parser.parse_args(argv)
    formats = [f for f in options.formats.split(",") if f]
    if options.command == "probe-ours":
        result = _probe_ours()
    elif options.command == "probe-vips":
        result = _probe_vips()
    elif options.command == "ours":
        _setup_ours()
        result = _measure(lambda: _ours_job(options.source, formats))
        extra = [f for f in options.extra.split(",") if f]
        if extra:  # formats the reference cannot make alike: timed apart
            alone = _ours_job(options.source, extra)
            result["extra"] = {
                f"encode {fmt}": alone["phases"][f"encode {fmt}"] for fmt in extra
            }
            result["extra_sizes"] = alone["sizes"]
    else:
        _setup_vips()
        specs = json.loads(options.specs)
        quality = json.loads(options.quality)
        result = _measure(
            lambda: _vips_job(options.source, specs, formats, quality, options.command)
        )
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


# --- The section ---------------------------------------------------------------


def _stats(runs: list[dict[str, Any]]) -> dict[str, Any]:
    med = common.median
    return {
        "wall": med(r["wall"] for r in runs),
        "min": min(r["wall"] for r in runs),
        "cpu": med(r["cpu"] for r in runs),
        "first": med(r["first"] for r in runs),
        "peak": med(r["peak_kib"] for r in runs),
        "peak_max": max(r["peak_kib"] for r in runs),
        "delta": med(r["peak_kib"] - r["baseline_kib"] for r in runs),
        "baseline": med(r["baseline_kib"] for r in runs),
        "phases": {
            name: med(r["phases"].get(name, 0.0) for r in runs)
            for name in runs[0]["phases"]
        },
        "sizes": runs[-1]["sizes"],
        "dims": runs[-1]["dims"],
        "decoded": runs[-1]["decoded"],
        "extra": {
            name: med(r["extra"][name] for r in runs)
            for name in runs[0].get("extra", {})
        },
        "extra_sizes": runs[-1].get("extra_sizes", {}),
    }


def _mib1(kib: float) -> str:
    """KiB as MiB with one decimal: the memory goal sits at 143.05 MiB."""
    return f"{kib / 1024:.1f} MiB"


def _spec_label(spec: list[Any]) -> str:
    name, width, height = spec
    return f"{name} {width}×{height} crop" if height else f"{name} {width} wide"


def run() -> common.SectionResult:
    machine = common.Machine.snapshot()
    started = time.monotonic()
    runs: dict[str, list[dict[str, Any]]] = {v.key: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="wiesci-bench-photos-") as tmp:
        photo_path = Path(tmp) / "camera.jpg"
        photo = make_photo(photo_path)
        ours_env = {
            "DJANGO_SETTINGS_MODULE": "wiesci.settings",
            "WIESCI_DATA_DIR": str(Path(tmp) / "data"),
        }
        probe_ours = common.run_worker(
            MODULE, ["probe-ours"], env=ours_env, timeout=WORKER_TIMEOUT_S
        )
        probe_vips = common.run_worker(MODULE, ["probe-vips"], timeout=WORKER_TIMEOUT_S)
        specs = probe_ours["specs"]
        # Compared only in the formats both sides make alike; any other
        # format of ours is timed apart, after the timed run.
        formats = [f for f in probe_ours["formats"] if f in probe_vips["formats"]]
        extra = [f for f in probe_ours["formats"] if f not in formats]
        q = int(probe_ours["quality"])
        # As processing.encode: the quality for JPEG and WebP, lower for AVIF.
        quality = {"jpeg": q, "webp": q, "avif": max(q - 25, 30)}

        def arguments(variant: Variant) -> list[str]:
            args = [variant.impl, str(photo_path), "--formats", ",".join(formats)]
            if variant.impl == "ours":
                return [*args, "--extra", ",".join(extra)]
            return [
                *args,
                "--specs",
                json.dumps(specs),
                "--quality",
                json.dumps(quality),
            ]

        rounds = 0
        for index in range(ROUNDS):
            elapsed = time.monotonic() - started
            if elapsed > 2 * BUDGET_S or (elapsed > BUDGET_S and index >= MIN_ROUNDS):
                break
            shift = index % len(VARIANTS)  # A B C, B C A, C A B, …
            for variant in VARIANTS[shift:] + VARIANTS[:shift]:
                env = dict(variant.env)
                if variant.impl == "ours":
                    env.update(ours_env)
                runs[variant.key].append(
                    common.run_worker(
                        MODULE, arguments(variant), env=env, timeout=WORKER_TIMEOUT_S
                    )
                )
            rounds += 1
    machine.finish()
    notes = []
    if probe_ours["setup_problem"]:
        notes.append(
            f"django.setup() failed ({probe_ours['setup_problem']}), so ours "
            "ran with the settings only: its processes hold less than a task "
            "worker does, and its peak RSS reads low."
        )
    if extra:
        notes.append(
            f"Not compared: {', '.join(extra)}, which the reference cannot make "
            "with equivalent settings here; ours is timed for it apart."
        )
    if rounds < ROUNDS:
        notes.append(f"Only {rounds} of {ROUNDS} rounds within the time budget.")
    report = Report(
        notes=notes,
        machine=machine,
        photo=photo,
        specs=specs,
        formats=formats,
        quality=quality,
        stats={key: _stats(value) for key, value in runs.items()},
        per_round=[
            a["wall"] / b["wall"]
            for a, b in zip(runs[OURS.key], runs[VIPS.key], strict=True)
        ],
        rounds=rounds,
        seconds=time.monotonic() - started,
        codecs={**probe_ours["codecs"], "libvips": probe_vips["libvips"]},
    )
    return common.SectionResult("photos", report.console(), report.markdown())


@dataclass
class Report:
    machine: common.Machine
    photo: dict[str, Any]
    specs: list[list[Any]]
    formats: list[str]
    quality: dict[str, int]
    stats: dict[str, dict[str, Any]]
    per_round: list[float]
    rounds: int
    seconds: float
    codecs: dict[str, Any]
    notes: list[str]

    def ratio(self, field: str, variant: Variant = VIPS) -> float:
        return float(self.stats[OURS.key][field] / self.stats[variant.key][field])

    def job(self) -> str:
        w, h = self.photo["width"], self.photo["height"]
        return (
            f"{w * h / 1e6:.0f} MP camera JPEG ({w}×{h}, q90, "
            f"{common.size(self.photo['bytes'])}, EXIF with camera and GPS, "
            f"sha256 {self.photo['sha256']}…) → {len(self.specs)} sizes "
            f"({', '.join(_spec_label(s) for s in self.specs)}) × "
            f"{', '.join(self.formats)} = {len(self.specs) * len(self.formats)} files"
        )

    def memory_met(self) -> bool:
        return bool(self.stats[OURS.key]["peak_max"] * 1024 < MEMORY_GOAL_BYTES)

    def verdict(self) -> str:
        ratio = self.ratio("wall")
        met = "met" if ratio <= GOAL else "NOT met"
        ours = self.stats[OURS.key]
        memory = "met" if self.memory_met() else "NOT met"
        return (
            f"Ours ÷ pyvips reference: time {ratio:.2f}× (goal ≤ {GOAL:.2f}×: "
            f"{met}; per round {min(self.per_round):.2f}–"
            f"{max(self.per_round):.2f}×, median "
            f"{common.median(self.per_round):.2f}×), CPU time "
            f"{self.ratio('cpu'):.2f}×, peak RSS {self.ratio('peak'):.2f}×, peak "
            f"increment {self.ratio('delta'):.2f}×. Against pyvips decode once: "
            f"time {self.ratio('wall', VIPS_ONCE):.2f}×, CPU time "
            f"{self.ratio('cpu', VIPS_ONCE):.2f}×. Ours' peak memory (the whole "
            f"process's peak RSS, imports included): {_mib1(ours['peak_max'])} in "
            f"the worst round, {_mib1(ours['peak'])} median (goal under 150 MB = "
            f"{MEMORY_GOAL_BYTES / 2**20:.1f} MiB, worst round: {memory})"
        )

    def main_rows(self) -> tuple[list[str], list[list[str]]]:
        headers = [
            "",
            "median",
            "min",
            "CPU",
            "1st run",
            "peak RSS",
            "worst peak RSS",
            "peak − before",
            "ours ÷ this",
        ]
        rows = []
        for variant in VARIANTS:
            s = self.stats[variant.key]
            rows.append(
                [
                    variant.label,
                    common.seconds(s["wall"]),
                    common.seconds(s["min"]),
                    common.seconds(s["cpu"]),
                    common.seconds(s["first"]),
                    _mib1(s["peak"]),
                    _mib1(s["peak_max"]),
                    _mib1(s["delta"]),
                    ""
                    if variant is OURS
                    else common.ratio(self.ratio("wall", variant)),
                ]
            )
        fields = ["wall", "min", "cpu", "first", "peak", "peak_max", "delta"]
        rows.append(
            [
                "ours ÷ reference",
                *(common.ratio(self.ratio(f)) for f in fields),
                "",
            ]
        )
        return headers, rows

    def phase_rows(self) -> tuple[list[str], list[list[str]]]:
        ours = self.stats[OURS.key]["phases"]
        columns = [OURS, VIPS, VIPS_ONCE]
        decoded = ", ".join(f"{w}×{h}" for w, h in self.stats[OURS.key]["decoded"])
        render_parts = [
            ("decode", f"decode JPEG (at {decoded})"),
            ("copy", "copy"),
            ("convert", "convert mode"),
            ("colour", "colour profile to sRGB"),
            ("resize", "resize (Lanczos), 4 calls"),
            ("other", "other (open, EXIF, draft)"),
        ]
        blank = [""] * (len(columns) - 1)
        rows = [
            ["· " + label, common.seconds(ours[key]), *blank]
            for key, label in render_parts
            if key in ours and (ours[key] >= 0.0005 or key in ("decode", "resize"))
        ]
        render = sum(ours[key] for key, _ in render_parts if key in ours)
        rows.append(
            [
                "decode + resize: ours iter_renditions(), pyvips thumbnail()",
                common.seconds(render),
                *(
                    common.seconds(self.stats[v.key]["phases"]["thumbnail"])
                    for v in columns[1:]
                ),
            ]
        )
        for fmt in self.formats:
            rows.append(
                [
                    f"encode {fmt}, {len(self.specs)} files",
                    *(
                        common.seconds(self.stats[v.key]["phases"][f"encode {fmt}"])
                        for v in columns
                    ),
                ]
            )
        for name, value in self.stats[OURS.key]["extra"].items():
            rows.append(
                [f"{name} (ours only, not in the job)", common.seconds(value), *blank]
            )
        rows.append(
            [
                "whole job (median of the timed runs)",
                *(common.seconds(self.stats[v.key]["wall"]) for v in columns),
            ]
        )
        return ["phase (medians)", *(v.label for v in columns)], rows

    def size_rows(self) -> tuple[list[str], list[list[str]]]:
        ours = self.stats[OURS.key]
        vips = self.stats[VIPS.key]
        rows = [
            [
                fmt,
                common.size(ours["sizes"][fmt]),
                common.size(vips["sizes"][fmt]),
                common.ratio(ours["sizes"][fmt] / vips["sizes"][fmt]),
            ]
            for fmt in self.formats
        ]
        for fmt, value in ours["extra_sizes"].items():
            rows.append([f"{fmt} (ours only)", common.size(value), "–", "–"])
        return ["bytes, all sizes", "ours", "pyvips reference", "ours ÷ pyvips"], rows

    def dimensions(self) -> str:
        dims = self.stats[OURS.key]["dims"]
        same = all(self.stats[v.key]["dims"] == dims for v in VARIANTS)
        listed = ", ".join(f"{n} {w}×{h}" for n, (w, h) in dims.items())
        return f"Renditions: {listed}; " + (
            "the same on every side."
            if same
            else "DIFFERENT between the sides, so the comparison is off."
        )

    def settings(self) -> str:
        q = self.quality
        return (
            f"JPEG Q{q['jpeg']}, optimised Huffman tables, progressive; WebP "
            f"Q{q['webp']}, method (effort) 4; AVIF with aom, Q{q['avif']}, speed 8 "
            "(libvips effort 1), 8-bit 4:2:0; only an sRGB ICC profile kept; "
            "crops centred (focal point 0.5, 0.5, libvips crop=centre); "
            "never upscaled"
        )

    def libraries(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.codecs.items() if v)

    def console(self) -> str:
        return "\n".join(
            [
                self.job(),
                f"{self.rounds} rounds, interleaved; each measurement a fresh "
                "process (warm-up run, then timed run).",
                "",
                common.text_table(*self.main_rows()),
                "",
                self.verdict() + ".",
                "",
                common.text_table(*self.phase_rows()),
                "",
                common.text_table(*self.size_rows()),
                self.dimensions(),
                "",
                common.text_table(["Machine", ""], self.machine.rows(), left=2),
                f"Codecs: {self.libraries()}",
                *(f"NOTE: {note}" for note in self.notes),
            ]
        )

    def markdown(self) -> str:
        return f"""\
## Photo renditions

Measured by `bench/photos.py` ({self.seconds:.0f} s). The job: a {self.job()},
made in memory the way an upload's task makes them (`processing.iter_renditions()`
gives the sizes largest first, and `processing.encode()` makes each size's files
in every format before the next size is made). The reference, measured
in the same run: libvips' thumbnailer, `pyvips.Image.thumbnail()` from the
file once per size (its shrink-on-load fast path), copied to memory and saved
in each format. For information, libvips with ours' strategy (one thumbnail at
the scale all sizes can be made from, the sizes from it with
`thumbnail_image()`).
Settings on every side: {self.settings()}.

Method: {self.rounds} rounds; in each, every variant runs in a fresh process,
in a rotating order (A B C, B C A, …) so that the load of this shared
machine falls on all of them alike. A process imports its libraries, notes its
resident memory, does the whole job once as a warm-up ("1st run"), then once
timed ("median", "min", "CPU" = user + system time of all its threads).
"Peak RSS" is the process's high-water mark (VmHWM, reset after the imports,
so it counts the imports' resident memory and the job's peak on top of it;
median of the rounds), "worst peak RSS" the highest of the rounds, which is the
figure checked against the goal of 150 MB (= 143.05 MiB), and "peak − before"
what the job added to the resident memory after the imports. libvips'
operation cache is off, so the timed run cannot reuse the warm-up's results.
Ours' phases are timed by wrapping Pillow's decode, copy, convert and resize
calls outside the encoders. Medians of the rounds elsewhere.

{common.markdown_table(*self.main_rows())}

**{self.verdict()}.**

{common.markdown_table(*self.phase_rows())}

{common.markdown_table(*self.size_rows())}

{self.dimensions()}

{common.markdown_table(["Machine", ""], self.machine.rows(), left=2)}

Codecs: {self.libraries()}.
{"".join(f"{chr(10)}**Note:** {note}{chr(10)}" for note in self.notes)}"""


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
