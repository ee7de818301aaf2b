"""Settings of the real server that tests/config/test_ops_live.py starts: the test database, Redis at OPS_REDIS_URL.

The test settings leave REDIS_URL empty (embedded mode); this server runs with
Redis as production does, so /readyz checks it and the cache uses it.
"""

import os

from config.settings.test import *  # noqa: F403

REDIS_URL = os.environ["OPS_REDIS_URL"]
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "ops-live",
        "OPTIONS": {"pool_class": "core.redis_pool.SharedConnectionPool"},
    }
}
