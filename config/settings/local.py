"""The embedded run (`make run`): debug on, a fixed development secret."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")

# Console e-mail printed as readable text with its links (notifications/console_email.py), not raw MIME.
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
    EMAIL_BACKEND = "notifications.console_email.ReadableConsoleEmailBackend"
