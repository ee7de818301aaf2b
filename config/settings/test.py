"""Settings for the test suite.

Tests run on PostgreSQL and Redis when they answer at DATABASE_URL / REDIS_URL
(defaults: the local services). When one does not answer the suite falls back
(SQLite, no Redis) and conftest skips the tests that need it, saying so; with
REQUIRE_SERVICES=1 conftest fails the run instead.
"""

import socket
from urllib.parse import urlparse

from .base import *  # noqa: F403
from .base import BASE_DIR, env


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


TEST_DATABASE_URL = env("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

if TEST_DATABASE_URL.startswith("postgres"):
    POSTGRES_AVAILABLE = _answers(TEST_DATABASE_URL, 5432)
    DATABASES = {
        "default": env.db_url_config(TEST_DATABASE_URL)
        if POSTGRES_AVAILABLE
        else {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "test.sqlite3")}
    }
    POSTGRES_WANTED = True
else:
    POSTGRES_AVAILABLE = False
    POSTGRES_WANTED = False
    DATABASES = {"default": env.db_url_config(TEST_DATABASE_URL)}
DATABASES["default"]["TEST"] = (
    {"NAME": env("TEST_DATABASE_NAME", default=None)} if env("TEST_DATABASE_NAME", default=None) else {}
)
REDIS_AVAILABLE = _answers(TEST_REDIS_URL, 6379)
# Tests that need Redis read this; product code reads REDIS_URL (empty: embedded mode).
REDIS_URL = ""
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105 (tests only)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "notifications.sms.MemorySmsBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "vi"
