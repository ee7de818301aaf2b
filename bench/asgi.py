"""The project's ASGI application with the benchmark's instrumentation (query counting) switched on.

The application is config.asgi's (the deployed one). bench.settings adds one synchronous
middleware (Server-Timing, query count): it runs in the request's thread with the rest of the
chain, so it adds no thread handoff (it would have added two under Django's async chain).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from config.asgi import application

from . import instrument

instrument.install()

__all__ = ["application"]
