"""The project's ASGI application with the benchmark's instrumentation (query counting) switched on.

The application is config.asgi's (the deployed one). bench.settings adds one synchronous
middleware (Server-Timing, query count): it runs in the request's thread with the rest of the
chain, so it adds no thread handoff (it would have added two under Django's async chain).

With DIALOGUES_FANOUT=group the live sockets use the straightforward Channels design instead
of the hub (bench/group.py), the one the fan-out benchmark measures against.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from channels.routing import ProtocolTypeRouter
from django.conf import settings

from config.asgi import application, django_asgi_app

from . import instrument

instrument.install()

if getattr(settings, "DIALOGUES_FANOUT", "hub") == "group":
    from . import group

    group.install()
    application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": group.websocket_application()})

__all__ = ["application"]
