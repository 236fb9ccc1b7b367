"""Compile the gettext catalogues (.po → .mo) the first time Django starts.

Compiled catalogues are build output and stay out of the repository. GNU
msgfmt is not needed: polib writes the .mo files, atomically, so several
server processes starting at once never read a half-written file.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)


def compile_catalogs(root: Path) -> list[Path]:
    """Compile every .po under `root` whose .mo is missing or older."""
    import polib

    written = []
    for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            fd, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
            os.close(fd)
            polib.pofile(str(po_path)).save_as_mofile(temporary)
            os.chmod(temporary, 0o644)
            os.replace(temporary, mo_path)
        except OSError as exc:
            logger.warning("Cannot compile %s: %s", po_path, exc)
            continue
        written.append(mo_path)
    return written
