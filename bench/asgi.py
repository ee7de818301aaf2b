"""The project's ASGI application with the benchmark's instrumentation (query counting) switched on."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from config.asgi import application

from . import instrument

instrument.install()

__all__ = ["application"]
