"""Settings of the benchmark server: the production settings, from the environment the harness sets.

Only two additions, both for measuring: a URLconf with a hello-world view (the
throughput baseline, served through the same middleware) and a stats view, and an
outermost middleware that times each request at the server and counts its queries.
"""

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
