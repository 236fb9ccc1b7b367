"""Compiled gettext catalogues (.po → .mo), ready before Django translates anything.

Compiled catalogues are build output and stay out of the repository. Django
builds its translations while it imports the models (a many-to-many table's
verbose name is translated then), so the catalogues are compiled when the
settings load, before `django.setup()`, whatever starts the portal: the
`wiesci` command, a WSGI server or the test runner.

GNU msgfmt is not needed: polib writes the .mo files, atomically, so several
server processes starting at once never read a half-written file.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

logger = logging.getLogger(__name__)


def compile_catalogs(roots: Iterable[Path]) -> list[Path]:
    """Compile every .po under each of `roots` whose .mo is missing or older."""
    import polib

    written = []
    for root in roots:
        for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
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


@functools.cache
def version() -> str:
    """A short digest of the language and the compiled catalogues in use.

    Anything cached as rendered text (pages, fragments) is keyed by it, so a
    page rendered before a catalogue changed, or in another language, is
    never served after. Worked out once per process: catalogues change only
    with a new release, which restarts the processes.
    """
    from django.conf import settings

    digest = hashlib.blake2b(settings.LANGUAGE_CODE.encode(), digest_size=6)
    for root in settings.LOCALE_PATHS:
        for mo_path in sorted(Path(root).glob("*/LC_MESSAGES/*.mo")):
            digest.update(mo_path.read_bytes())
    return digest.hexdigest()
