"""WSGI entry point for `wiesci serve` (granian) or any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

from wiesci.core.pagecache import PageCache

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesci.settings")

# Anonymous pages come from the shared page cache before Django is involved.
application = PageCache(get_wsgi_application())
