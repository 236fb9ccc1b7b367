"""The `wiesci` command: Django's management commands plus the product's own.

`wiesci migrate`, `wiesci createsuperuser` and every other Django command work
unchanged; `serve`, `demo` and `check` are the product's (see core/management).
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from wiesci.core.environ import ConfigError


def _settings_from_argv(argv: list[str]) -> str | None:
    """Return the value of a --settings option, which must apply before loading."""
    for i, arg in enumerate(argv):
        if arg.startswith("--settings="):
            return arg.partition("=")[2]
        if arg == "--settings" and i + 1 < len(argv):
            return argv[i + 1]
    return None


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "wiesci"
    module = _settings_from_argv(argv)
    if module:
        os.environ["DJANGO_SETTINGS_MODULE"] = module
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesci.settings")

    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        from django.conf import settings

        # Load the settings here, so that a bad WIESCI_* variable ends the
        # command with one line instead of a traceback from deep inside Django.
        settings.INSTALLED_APPS  # noqa: B018
        execute_from_command_line(argv)
    except ConfigError as exc:
        _fail(exc)
    except DatabaseError:
        # A database that cannot be reached at all is the operator's to fix:
        # say so in one line. Any other database error is a fault to report.
        from wiesci.core.preflight import connection_problem

        problem = connection_problem()
        if problem is None:
            raise
        _fail(problem)


def _fail(error: ConfigError) -> NoReturn:
    print(f"wiesci: {error}", file=sys.stderr)
    sys.exit(2)
