"""ASGI entry point, for servers that speak only ASGI.

The portal is a WSGI application (its page cache and media answers sit in
front of Django's WSGI handler); an ASGI server runs that same stack through
asgiref's adapter, so nothing is served without the page cache.
"""

import os

from asgiref.wsgi import WsgiToAsgi

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesci.settings")

from wiesci.wsgi import application as wsgi_application

application = WsgiToAsgi(wsgi_application)  # type: ignore[no-untyped-call]
