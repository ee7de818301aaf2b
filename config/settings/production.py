"""Production: every secret comes from the environment, with no default."""

from .base import *  # noqa: F403
from .base import env, logging_config

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# One JSON object per log line (config/logs.py); DJANGO_LOG_FORMAT=console for a readable terminal.
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="json")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env("DJANGO_LOG_LEVEL", default="INFO"))


# Static files with hashed names and gzip copies, written by collectstatic (config/storage.py); nginx caches
# the hashed ones for a year and serves the .gz copies (deploy/nginx.conf).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.HashedCompressedStaticStorage"},
}


# --- HTTPS (docs/security.md) --------------------------------------------------------------------
# Plain-http requests are redirected to https. Behind a TLS-terminating proxy the proxy must send
# X-Forwarded-Proto (deploy/nginx.conf); set false only where the proxy itself redirects. The health
# probes of the orchestrator come over plain http inside the network and are never redirected.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
# Browsers remember to use https only (one year by default; 0 turns HSTS off, e.g. for a trial over http).
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# The "preload" token only allows a submission to the browsers' preload list (made by hand for the
# registrable domain); false drops it (and `check --deploy` then says so, W021).
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
