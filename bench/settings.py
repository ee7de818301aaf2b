"""Settings of the benchmark server: the production settings, from the environment the harness sets.

Only two additions, both for measuring: a URLconf with a hello-world view (the
throughput baseline, served through the same middleware) and a stats view, and an
outermost middleware that times each request at the server and counts its queries.
"""

import os

from config.settings.production import *  # noqa: F403
from config.settings.production import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.instrument.ServerTimingMiddleware", *MIDDLEWARE]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
# "group": the live sockets use the straightforward Channels design (bench/group.py) instead of the hub.
DIALOGUES_FANOUT = os.environ.get("DIALOGUES_FANOUT", "hub")

# This run's Redis namespace (bench/stack.py, RUN_PREFIX): the cache, the channel layer and the Celery broker's
# keys under it, like the hub's channels (DIALOGUES_HUB_PREFIX), so two runs sharing a Redis DB never cross.
RUN_PREFIX = os.environ.get("BENCH_RUN_PREFIX", "")
if RUN_PREFIX:
    for _cache in CACHES.values():  # noqa: F405
        if "KEY_PREFIX" in _cache:
            _cache["KEY_PREFIX"] = f"{RUN_PREFIX}:cache"
    for _layer in CHANNEL_LAYERS.values():  # noqa: F405
        if "prefix" in _layer.get("CONFIG", {}):
            _layer["CONFIG"]["prefix"] = f"{RUN_PREFIX}:ch"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "global_keyprefix": f"{RUN_PREFIX}:celery:",
    }
