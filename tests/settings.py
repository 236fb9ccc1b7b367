"""Test settings: wiesci.settings plus the speed-ups a test run wants.

WIESCI_TEST_DATABASE=postgresql runs the suite on a throwaway PostgreSQL
cluster that servers/postgres.py starts for this process and removes at exit.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

_data_dir = tempfile.mkdtemp(prefix="wiesci-test-")
atexit.register(shutil.rmtree, _data_dir, ignore_errors=True)
os.environ["WIESCI_DATA_DIR"] = _data_dir
# The developer's own WIESCI_* variables must not reach the tests.
for _name in [n for n in os.environ if n.startswith("WIESCI_")]:
    if _name not in {"WIESCI_DATA_DIR", "WIESCI_TEST_DATABASE"}:
        del os.environ[_name]

from wiesci.settings import *  # noqa: E402, F403
from wiesci.settings import DATA_DIR, DATABASES, STORAGES  # noqa: E402

if os.environ.get("WIESCI_TEST_DATABASE", "sqlite") == "postgresql":
    from servers.postgres import throwaway_cluster

    DATABASES = {"default": throwaway_cluster()}
elif os.environ.get("WIESCI_TEST_DATABASE", "sqlite") == "sqlite":
    # A file, not memory: concurrency tests need SQLite's real locking (WAL,
    # busy timeout), which a shared in-memory database does not have.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(DATA_DIR) / "test.sqlite3")}
else:
    raise SystemExit("WIESCI_TEST_DATABASE must be sqlite or postgresql")

# Nobody attacks a test run's passwords; MD5 keeps user creation quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Tests add counted reads to the totals themselves, when they choose to; a
# background thread doing it would race them and outlive their database.
WIESCI_READS_FLUSH_SECONDS = 0
# Tests clear the shared cache to make fragments cold, which a running portal
# never does; a worker's memory of them would outlive that (see
# tests/core/test_fragments.py for the memory itself).
WIESCI_FRAGMENT_MEMORY_SECONDS = 0
# Templates reference static files by name without running collectstatic.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(DATA_DIR) / "media"
