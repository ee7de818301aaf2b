"""Settings shared by every environment.

Values come from environment variables (django-environ). The defaults give the
embedded run: SQLite, the in-memory channel layer, eager Celery and the console
e-mail backend, so one command shows the whole product. Setting DATABASE_URL and
REDIS_URL switches the same code to PostgreSQL, Redis and real Celery workers.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Public name of the portal and its base URL (used in e-mails, feeds and tracking links).
PORTAL_NAME = env("PORTAL_NAME", default="Cổng thông tin điện tử thành phố Hải Phòng")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Applications -------------------------------------------------------------------------
DJANGO_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.syndication",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
]
LOCAL_APPS = [
    "accounts",
    "qa",
    "dialogues",
    "notifications",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "config.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# Under ASGI a request's sync code runs in a request thread (config.asgi keeps up to 32 idle per
# process), so persistent connections (CONN_MAX_AGE > 0) stay open, one per thread, even while
# the thread idles (Django's own handler left one behind per request); a server opens a pool instead
# (measured in bench/, docs/performance.md). Pooling needs CONN_MAX_AGE = 0.
if env.bool("DATABASE_POOL", default=False) and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=20),
        "timeout": 10,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the single writer work side by side in the embedded run.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, channel layer ---------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hoidap",
            # One pool per process: Django's own opens one per request context (a connect a request).
            "OPTIONS": {"pool_class": "config.redis_pool.SharedConnectionPool"},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "hoidap:ch"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A registration's e-mail verification link stays valid this long (seconds).
ACCOUNTS_VERIFY_MAX_AGE = 3 * 24 * 3600
# Brute-force limits on failed log-ins, per client IP and per e-mail address (accounts.ratelimit rates).
ACCOUNTS_LOGIN_FAILURES_PER_IP = env("ACCOUNTS_LOGIN_FAILURES_PER_IP", default="10/15m")
ACCOUNTS_LOGIN_FAILURES_PER_EMAIL = env("ACCOUNTS_LOGIN_FAILURES_PER_EMAIL", default="10/15m")
# Registrations per IP, and account e-mails (verification, password reset) per address and per IP.
ACCOUNTS_REGISTER_RATE_PER_IP = env("ACCOUNTS_REGISTER_RATE_PER_IP", default="10/h")
ACCOUNTS_EMAIL_RATE_PER_ADDRESS = env("ACCOUNTS_EMAIL_RATE_PER_ADDRESS", default="3/h")
ACCOUNTS_EMAIL_RATE_PER_IP = env("ACCOUNTS_EMAIL_RATE_PER_IP", default="20/h")

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Uploads are checked by the forms; this only caps what Django keeps in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024

# --- E-mail -------------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Hỏi đáp <hoidap@localhost>")
# Real SMTP comes from EMAIL_URL (smtp://user:pass@host:587/?tls=True); a hung server must not hold a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TIMEZONE = TIME_ZONE
# E-mail has its own queue so a slow SMTP server never delays in-app pushes or periodic jobs.
CELERY_TASK_ROUTES = {"notifications.send_email": {"queue": "email"}, "*.send_email*": {"queue": "email"}}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Delivery tasks ack late; a worker holding one message at a time leaves the rest to the others.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Fail fast when Redis is unreachable: the outbox keeps the work and the sweep sends it later.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3}
# Periodic jobs (`make beat`); times are Asia/Ho_Chi_Minh.
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-sweep-outbox": {"task": "notifications.sweep_outbox", "schedule": 60.0},
    "notifications-send-digests": {"task": "notifications.send_digests", "schedule": crontab(hour=7, minute=0)},
    "qa-deadline-reminders": {"task": "qa.send_deadline_reminders", "schedule": crontab(hour=7, minute=30)},
    "qa-rating-requests": {"task": "qa.send_rating_requests", "schedule": crontab(hour=9, minute=0)},
    # Subscribers hear about a session 55–60 minutes before it starts.
    "dialogues-session-reminders": {"task": "dialogues.send_session_reminders", "schedule": 300.0},
}

# --- Notifications (docs/notifications.md) -------------------------------------------------
# Attempts per row before it is marked failed; the n-th retry waits base × 2^(n-1) seconds.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_RETRY_BASE_DELAY = env.int("NOTIFICATIONS_RETRY_BASE_DELAY", default=30)
# The sweep re-dispatches pending rows due longer ago than this (their own task should have run).
NOTIFICATIONS_SWEEP_GRACE = env.int("NOTIFICATIONS_SWEEP_GRACE", default=60)
NOTIFICATIONS_SWEEP_BATCH = 1000
# A row "sending" for longer than this lost its worker; must exceed CELERY_TASK_TIME_LIMIT.
NOTIFICATIONS_CLAIM_TIMEOUT = env.int("NOTIFICATIONS_CLAIM_TIMEOUT", default=300)
NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE = 180 * 24 * 3600

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hỏi đáp & Đối thoại API",
    "DESCRIPTION": "Public and staff API of the citizen Q&A and live dialogue platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One named enum per domain choice set, whichever serializer uses it.
    "ENUM_NAME_OVERRIDES": {
        "QuestionStatusEnum": "qa.models.QuestionStatus",
        "AskerTypeEnum": "qa.models.AskerType",
        "RejectionReasonEnum": "qa.models.RejectionReason",
        "DialogueSessionStatusEnum": "dialogues.models.SessionStatus",
        "LiveQuestionStatusEnum": "dialogues.models.LiveQuestionStatus",
        "LiveAnswerKindEnum": "dialogues.models.AnswerKind",
        "LiveVideoKindEnum": ["hls", "embed"],
    },
    # Swagger UI would otherwise send the schema to validator.swagger.io: no outside requests.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# --- Product rules ------------------------------------------------------------------------
# Anti-spam limits for asking: (count, seconds) per IP and per e-mail address.
QA_SUBMIT_RATE_PER_IP = env("QA_SUBMIT_RATE_PER_IP", default="10/h")
QA_SUBMIT_RATE_PER_EMAIL = env("QA_SUBMIT_RATE_PER_EMAIL", default="5/h")
QA_LOST_LINK_RATE = env("QA_LOST_LINK_RATE", default="5/h")
# "Was this helpful?" votes on one answer from one client IP (a browser without its cookie is a new voter).
QA_VOTE_RATE_PER_IP = env("QA_VOTE_RATE_PER_IP", default="20/h")
# Anonymous archive pages and API responses are cached this long, and dropped at once when a question is
# published, unpublished or edited (qa.cache); view and vote counts may lag by as much. 0 turns it off.
QA_ARCHIVE_CACHE_SECONDS = env.int("QA_ARCHIVE_CACHE_SECONDS", default=30)
QA_MAX_ATTACHMENTS = 5
QA_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# How long a guest's e-mail confirmation link stays valid.
QA_CONFIRMATION_MAX_AGE = 7 * 24 * 3600

# --- Live dialogues (docs/live-protocol.md) ---------------------------------------------------
# "hub": one Redis pub/sub subscription per process and session, frames written to local sockets
# in a plain loop (measured in ../shared/stack-notes.md); "group": every consumer joins a Channels
# group (the straightforward design, kept for the benchmark's side-by-side run).
DIALOGUES_FANOUT = env("DIALOGUES_FANOUT", default="hub")
# Redis for the hub; empty means REDIS_URL, and with neither the hub is in-process (embedded run).
DIALOGUES_HUB_REDIS_URL = env("DIALOGUES_HUB_REDIS_URL", default="")
DIALOGUES_HUB_PREFIX = env("DIALOGUES_HUB_PREFIX", default="hoidap:dlg")
# A client further behind than this many events gets a fresh snapshot instead of a replay.
DIALOGUES_REPLAY_LIMIT = 1000
# Recent frames each process keeps per session, so reconnecting clients resume without a query.
DIALOGUES_REPLAY_CACHE = 500
# Vote and viewer counts are coalesced into one frame per interval (seconds).
DIALOGUES_COUNTS_INTERVAL = 0.5
# Per-connection token bucket for socket messages; a client refused this many times in a row is closed.
DIALOGUES_WS_BURST = 20
DIALOGUES_WS_REFILL_PER_SECOND = 5.0
DIALOGUES_WS_FLOOD_CLOSE_AFTER = 20
DIALOGUES_WS_MAX_MESSAGE_BYTES = 4096
# Per-user (or per-browser) limits, shared by socket and HTTP.
DIALOGUES_ASK_RATE = env("DIALOGUES_ASK_RATE", default="5/m")
DIALOGUES_ASK_RATE_PER_IP = env("DIALOGUES_ASK_RATE_PER_IP", default="30/m")
DIALOGUES_VOTE_RATE = env("DIALOGUES_VOTE_RATE", default="60/m")
DIALOGUES_QUESTION_MAX_LENGTH = 500
# Masked in public text (the moderator sees the original); empty: the built-in list.
DIALOGUES_PROFANITY_WORDS = env.list("DIALOGUES_PROFANITY_WORDS", default=[])
# Video platforms whose embed addresses staff may set (HLS .m3u8 addresses over https are always allowed).
DIALOGUES_VIDEO_EMBED_HOSTS = env.list(
    "DIALOGUES_VIDEO_EMBED_HOSTS",
    default=["www.youtube.com", "www.youtube-nocookie.com", "player.vimeo.com", "www.facebook.com"],
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
