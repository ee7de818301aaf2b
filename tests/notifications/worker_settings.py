"""Settings for the real processes the live tests start: Celery worker and beat (test_live_worker.py)
and the daphne server of the browser test.

The test settings force eager tasks and the locmem mail box; these real
processes instead use the test's own Redis (NTF_BROKER_URL), the test database
the test process is using (NTF_DATABASE_NAME) and real SMTP to the test's
aiosmtpd sink (NTF_SMTP_PORT). Timings are shortened so the sweep and the
reclaim of a dead worker's row happen within seconds.
"""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES
from core.redis_pool import celery_broker

CELERY_TASK_ALWAYS_EAGER = False
# A redis+sentinel:// URL (the failover test) becomes kombu's sentinel:// form and master_name.
CELERY_BROKER_URL, _sentinel_options = celery_broker(os.environ["NTF_BROKER_URL"])
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, **_sentinel_options}
DATABASES["default"]["NAME"] = os.environ["NTF_DATABASE_NAME"]

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("NTF_SMTP_PORT", "25"))
EMAIL_USE_TLS = False
EMAIL_USE_SSL = False
EMAIL_HOST_USER = ""
EMAIL_HOST_PASSWORD = ""
EMAIL_TIMEOUT = 60

NOTIFICATIONS_SWEEP_GRACE = 1
NOTIFICATIONS_RETRY_BASE_DELAY = 1
# Longer than any delivery in these tests takes, short enough to wait for.
NOTIFICATIONS_CLAIM_TIMEOUT = int(os.environ.get("NTF_CLAIM_TIMEOUT", "8"))
CELERY_BEAT_SCHEDULE = {"sweep": {"task": "notifications.sweep_outbox", "schedule": 2.0}}

if os.environ.get("NTF_CHANNEL_LAYER_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ["NTF_CHANNEL_LAYER_URL"]], "prefix": "ntf-browser"},
        }
    }
