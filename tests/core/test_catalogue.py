"""Every interface string has its Polish translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "wiesci"


def test_every_string_in_the_code_is_translated_into_polish(tmp_path):
    # makemessages rewrites the catalogue it finds: let it work on a copy.
    copy = tmp_path / "wiesci"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "--locale=pl",
            "--no-obsolete",
            "--settings=tests.settings",
            f"--pythonpath={ROOT}",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        timeout=300,
    )
    catalogue = polib.pofile(str(copy / "locale/pl/LC_MESSAGES/django.po"))
    missing = [
        entry.msgid
        for entry in catalogue.untranslated_entries() + catalogue.fuzzy_entries()
    ]
    assert missing == []
