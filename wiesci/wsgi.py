"""WSGI entry point for `wiesci serve` (granian) or any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

from wiesci.core.mediafiles import MediaFiles
from wiesci.core.pagecache import PageCache

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesci.settings")

# Uploaded media, then anonymous pages from the shared page cache, before
# Django is involved.
application = MediaFiles(PageCache(get_wsgi_application()))
