"""WSGI entry point for `wiesci serve` (granian) or any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesci.settings")

application = get_wsgi_application()
