#!/bin/sh
# Fetch a few small photos straight from real cameras (Canon, Casio, Olympus,
# Panasonic, Ricoh, Sigma, Sony: 80×80 pictures with the cameras' own EXIF,
# maker notes and GPS blocks) for tests/photos/test_cameras.py. They come from
# the test images of the MIT-licensed piexif 1.1.3 source package on PyPI,
# checked by hash, and are kept out of the repository.
set -eu
python="$1"
target="$2"
archive_sha256=83cb35c606bf3a1ea1a8f0a25cb42cf17e24353fd82e87ae3884e74a302a5f1b
work="$target.download"
rm -rf "$work"
mkdir -p "$work"
"$python" -m pip download --quiet --disable-pip-version-check --no-deps \
    --no-binary :all: --dest "$work" piexif==1.1.3
echo "$archive_sha256  $work/piexif-1.1.3.zip" | sha256sum --check --quiet
"$python" - "$work/piexif-1.1.3.zip" "$work/camera" <<'PY'
import sys, zipfile
from pathlib import Path
archive, out = sys.argv[1], Path(sys.argv[2])
out.mkdir()
with zipfile.ZipFile(archive) as package:
    for name in package.namelist():
        file = Path(name).name
        if "/tests/images/r_" in name and file.endswith(".jpg"):
            (out / file).write_bytes(package.read(name))
PY
rm -rf "$target"
mv "$work/camera" "$target"
rm -rf "$work"
