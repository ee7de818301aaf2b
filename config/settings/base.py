"""Settings shared by every environment.

Values come from environment variables (django-environ). The defaults give the
embedded run: SQLite, the in-memory channel layer, eager Celery and the console
e-mail backend, so one command shows the whole product. Setting DATABASE_URL and
REDIS_URL switches the same code to PostgreSQL, Redis and real Celery workers.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.converters import ID_SCHEMA
from config.logs import logging_config
from core.redis_pool import celery_broker, channel_layer_host, sentinel_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies (IPs or CIDR networks) whose X-Forwarded-For is believed (core.client_ip).
# Empty: nobody's, the TCP peer is the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Public name of the portal and its base URL (used in e-mails, feeds and tracking links).
PORTAL_NAME = env("PORTAL_NAME", default="Cổng thông tin điện tử thành phố Hải Phòng")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Applications -------------------------------------------------------------------------
DJANGO_APPS = [
    "daphne",
    # django.contrib.admin, behind two-step log-in (accounts/admin_site.py).
    "accounts.admin_site.TwoFactorAdminConfig",
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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
]
LOCAL_APPS = [
    "core",
    "accounts",
    "qa",
    "dialogues",
    "notifications",
    "stats",
    "orgchanges",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # /healthz and /readyz, before anything that checks hosts or touches sessions (config/health.py).
    "config.health.ProbeMiddleware",
    # X-Request-ID in, bound for the request's log lines and its tasks, and out (config/logs.py).
    "config.logs.RequestIdMiddleware",
    # Request latency by view and /metrics for allowed scrapers (config/metrics.py).
    "config.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.input.RejectNullCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor (accounts/two_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns an axes lockout into accounts.lockout.lockout_response; after the others, as axes asks.
    "axes.middleware.AxesMiddleware",
    # Innermost: a view's "database unavailable" becomes a translated 503 (config.errors).
    "config.errors.DatabaseUnavailableMiddleware",
    # The archive's reads on the read replica when one is configured (config/db_router.py); last: calls the view.
    "config.db_router.ReplicaRoutingMiddleware",
]
# Seconds a 503 (database unavailable) asks clients to wait before trying again.
SERVICE_UNAVAILABLE_RETRY_AFTER = env.int("SERVICE_UNAVAILABLE_RETRY_AFTER", default=10)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["core.date_filters"],  # {{ value|vn_date }}: one date format everywhere
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
# A persistent connection broken by a database restart is noticed before a request uses it, not by a failed query.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# A PostgreSQL streaming replica for the public archive's reads (config/db_router.py); off when empty.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **DATABASES["default"],
        **env.db_url_config(DATABASE_REPLICA_URL),
        # A dead replica must cost a request at most this long before the primary answers.
        "OPTIONS": {**DATABASES["default"].get("OPTIONS", {}), "connect_timeout": 2},
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
# Reads go to the primary while the replica lags more than this (seconds, measured by PostgreSQL).
DATABASE_REPLICA_MAX_LAG = env.float("DATABASE_REPLICA_MAX_LAG", default=5.0)
# Each process asks the replica for its state at most this often (seconds).
DATABASE_REPLICA_CHECK_INTERVAL = env.float("DATABASE_REPLICA_CHECK_INTERVAL", default=2.0)
# A browser reads the primary this long after any write it made (the asker sees the question just sent).
DATABASE_REPLICA_STICKY_SECONDS = env.int("DATABASE_REPLICA_STICKY_SECONDS", default=30)
# The views whose reads may go to the replica (GET/HEAD, anonymous): the public archive.
DATABASE_REPLICA_VIEWS = [
    "qa:home",
    "qa:archive",
    "qa:question_detail",
    "qa:agency",
    "qa:topic",
    "qa:feed",
    "api-questions",
    "api-questions-similar",
    "api-question-detail",
    "api-agencies",
    "api-topics",
    "stats:statistics",
    "stats:download",
    "stats:open_data",
    "api-statistics",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, channel layer ---------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Redis through Sentinel (core/redis_pool.py): host:port of each sentinel and the master's name. Every Redis
# setting below then defaults to redis+sentinel://sentinels/master/db, a form each of them also accepts directly.
REDIS_SENTINELS = env.list("REDIS_SENTINELS", default=[])
REDIS_SENTINEL_MASTER = env("REDIS_SENTINEL_MASTER", default="hoidap")
if REDIS_SENTINELS:
    REDIS_URL = sentinel_url(
        REDIS_SENTINELS,
        REDIS_SENTINEL_MASTER,
        env.int("REDIS_SENTINEL_DB", default=0),
        env("REDIS_PASSWORD", default=""),
    )
# Separate servers (or databases) for the cache and the channel layer; the hub's pub/sub is DIALOGUES_HUB_REDIS_URL
# and the broker CELERY_BROKER_URL. Empty: REDIS_URL.
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default="") or REDIS_URL
REDIS_CHANNELS_URL = env("REDIS_CHANNELS_URL", default="") or REDIS_URL

if REDIS_URL:
    CACHES = {
        "default": {
            # Redis's cache, degraded to misses while Redis is down (config.cache: a circuit breaker, short timeouts).
            "BACKEND": "config.cache.ResilientRedisCache",
            # A list: Django splits a string at commas, which a Sentinel URL contains.
            "LOCATION": [REDIS_CACHE_URL],
            "KEY_PREFIX": "hoidap",
            # One pool per process: Django's own opens one per request context (a connect a request).
            "OPTIONS": {"pool_class": "core.redis_pool.SharedConnectionPool"},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [channel_layer_host(REDIS_CHANNELS_URL)], "prefix": "hoidap:ch"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# While Redis is down, rate limits are counted per process at 1/N of each rate (accounts.ratelimit): N server
# processes (uvicorn reads WEB_CONCURRENCY too) then allow no more together than the shared limit would.
RATELIMIT_FALLBACK_PROCESSES = env.int("RATELIMIT_FALLBACK_PROCESSES", default=env.int("WEB_CONCURRENCY", default=1))

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
# Failed log-ins per client IP over all addresses (password spraying; accounts.ratelimit rate). Per
# account the limit is django-axes', keyed by address AND client IP, so nobody locks the owner out.
ACCOUNTS_LOGIN_FAILURES_PER_IP = env("ACCOUNTS_LOGIN_FAILURES_PER_IP", default="30/15m")
# django-axes on every password log-in (our form, the admin's): the AxesBackend goes first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("ACCOUNTS_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ACCOUNTS_LOGIN_COOLOFF_MINUTES", default=15))
# Failures during a lockout do not extend it: Retry-After stays what the page said.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "email"
# Masked in axes' logs and stored attempts (personal data and secrets).
AXES_SENSITIVE_PARAMETERS = ["username", "email", "ip_address", "password", "otp_token"]
# Successful log-ins are not stored by axes (Django's last_login is enough); failures are, for the admin.
AXES_DISABLE_ACCESS_LOG = True
# Two-step log-in (accounts/two_factor.py): the name authenticator apps show next to the code.
OTP_TOTP_ISSUER = env("ACCOUNTS_TOTP_ISSUER", default="Hỏi đáp & Đối thoại")
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
# A redis+sentinel:// URL becomes kombu's sentinel:// form and master_name (core.redis_pool.celery_broker).
# Kombu's own sentinel://h:p;sentinel://h:p/db form works too, with CELERY_BROKER_MASTER_NAME or REDIS_SENTINEL_MASTER.
CELERY_BROKER_URL, _broker_sentinel_options = celery_broker(
    env("CELERY_BROKER_URL", default="") or REDIS_URL or "memory://",
    default_master=env("CELERY_BROKER_MASTER_NAME", default=REDIS_SENTINEL_MASTER),
)
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
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, **_broker_sentinel_options}
# Periodic jobs (`make beat`); times are Asia/Ho_Chi_Minh.
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-sweep-outbox": {"task": "notifications.sweep_outbox", "schedule": 60.0},
    "notifications-send-digests": {"task": "notifications.send_digests", "schedule": crontab(hour=7, minute=0)},
    "qa-deadline-reminders": {"task": "qa.send_deadline_reminders", "schedule": crontab(hour=7, minute=30)},
    "qa-rating-requests": {"task": "qa.send_rating_requests", "schedule": crontab(hour=9, minute=0)},
    # Subscribers hear about a session 55–60 minutes before it starts.
    "dialogues-session-reminders": {"task": "dialogues.send_session_reminders", "schedule": 300.0},
    # A worker records that it ran this; /readyz fails when it is older than CELERY_HEARTBEAT_MAX_AGE.
    "ops-celery-heartbeat": {"task": "ops.celery_heartbeat", "schedule": 30.0, "options": {"expires": 60}},
    "qa-contact-retention": {"task": "qa.erase_expired_contacts", "schedule": crontab(hour=2, minute=15)},
    # Statistics: rebuild the days touched since the last run (stats.aggregation.refresh).
    "stats-refresh-daily": {"task": "stats.refresh_daily", "schedule": 600.0},
    "stats-rising-refresh": {"task": "stats.rising_refresh", "schedule": crontab(hour=5, minute=15)},
    "stats-build-open-data": {"task": "stats.build_open_data", "schedule": crontab(hour=3, minute=30)},
    # Scheduled reorganisations take effect just after midnight of their date (Asia/Ho_Chi_Minh).
    "orgchanges-apply-due": {"task": "orgchanges.apply_due", "schedule": crontab(hour=0, minute=5)},
    # Routing suggestion (qa.routing): nightly retrain, and hourly when enough new questions were answered.
    "qa-routing-train": {"task": "qa.train_routing", "schedule": crontab(hour=3, minute=45)},
    "qa-routing-train-if-due": {"task": "qa.train_routing_if_due", "schedule": crontab(minute=20)},
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
# SMS (notifications/sms.py): console in the embedded run, a brandname gateway over HTTP in production.
SMS_BACKEND = env(
    "SMS_BACKEND",
    default="notifications.sms.HttpGatewaySmsBackend"
    if env("SMS_GATEWAY_URL", default="")
    else "notifications.sms.ConsoleSmsBackend",
)
SMS_SENDER = env("SMS_SENDER", default="HOIDAP")  # the registered brandname
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_USERNAME = env("SMS_GATEWAY_USERNAME", default="")
SMS_GATEWAY_PASSWORD = env("SMS_GATEWAY_PASSWORD", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_BODY = env(
    "SMS_GATEWAY_BODY",
    default='{"to": "$phone", "from": "$brandname", "text": "$message", "request_id": "$request_id"}',
)
SMS_GATEWAY_PHONE_FORMAT = env("SMS_GATEWAY_PHONE_FORMAT", default="84")
SMS_GATEWAY_SUCCESS_FIELD = env("SMS_GATEWAY_SUCCESS_FIELD", default="")
SMS_GATEWAY_SUCCESS_VALUES = env.list("SMS_GATEWAY_SUCCESS_VALUES", default=["0", "200", "success", "ok"])
SMS_GATEWAY_TIMEOUT = env.int("SMS_GATEWAY_TIMEOUT", default=10)
SMS_FOLD_DIACRITICS = env.bool("SMS_FOLD_DIACRITICS", default=True)
SMS_MAX_LENGTH = env.int("SMS_MAX_LENGTH", default=300)

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
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# JSON bodies are checked before parsing (config/parsers.py); the sockets apply the same depth.
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=1024 * 1024)
API_JSON_MAX_DEPTH = 32
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
        "ReorganisationKindEnum": "orgchanges.models.Kind",
        "ReorganisationStatusEnum": "orgchanges.models.Status",
        "AgencyKindEnum": "accounts.models.AgencyKind",
    },
    # Swagger UI would otherwise send the schema to validator.swagger.io: no outside requests.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # <id:…> ids (config/converters.py): at most 18 digits.
    "PATH_CONVERTER_OVERRIDES": {"id": ID_SCHEMA},
    # Errors every operation can answer (404 for ids, 400 for any input) are described once (core/api.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.add_common_error_responses"],
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
# The public statistics (page, downloads, API) are cached this long per filter set; their rows only change when
# the periodic refresh runs. 0 turns it off (the benchmark's judged timings).
STATS_CACHE_SECONDS = env.int("STATS_CACHE_SECONDS", default=300)
QA_MAX_ATTACHMENTS = 5
QA_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Uploads are parsed whole before they are kept (qa.files): limits on what a file may unpack to.
QA_UPLOAD_MAX_PDF_PAGES = 500
QA_UPLOAD_MAX_ZIP_ENTRIES = 1000
QA_UPLOAD_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
QA_UPLOAD_MAX_COMPRESSION_RATIO = 100
QA_UPLOAD_MAX_IMAGE_PIXELS = 40_000_000
# How long a guest's e-mail confirmation link stays valid.
QA_CONFIRMATION_MAX_AGE = 7 * 24 * 3600
# Contact data of questions closed (answered, published, rejected, withdrawn) this many days ago is erased by
# the nightly qa.erase_expired_contacts task; 0 keeps it.
QA_CONTACT_RETENTION_DAYS = env.int("QA_CONTACT_RETENTION_DAYS", default=730)

# Phone-only questions (qa/services/phone.py): SMS codes, and the "Theo dõi câu hỏi" lookup (qa/services/lookup.py).
QA_PHONE_CODE_TTL = env.int("QA_PHONE_CODE_TTL", default=600)
QA_PHONE_CODE_ATTEMPTS = env.int("QA_PHONE_CODE_ATTEMPTS", default=5)
QA_PHONE_CODE_RATE_PER_NUMBER = env("QA_PHONE_CODE_RATE_PER_NUMBER", default="5/h")
QA_PHONE_CODE_RATE_PER_IP = env("QA_PHONE_CODE_RATE_PER_IP", default="20/h")
# "Send the confirmation link again" / "I typed my e-mail wrong" before a guest question is confirmed.
QA_CONFIRM_RESEND_RATE_PER_ADDRESS = env("QA_CONFIRM_RESEND_RATE_PER_ADDRESS", default="3/h")
QA_CONFIRM_RESEND_RATE_PER_IP = env("QA_CONFIRM_RESEND_RATE_PER_IP", default="10/h")
QA_LOOKUP_RATE_PER_IP = env("QA_LOOKUP_RATE_PER_IP", default="20/h")
QA_LOOKUP_RATE_PER_REFERENCE = env("QA_LOOKUP_RATE_PER_REFERENCE", default="10/h")
# Agency and topic suggestion while asking (qa.routing, docs/intake.md): learnt from answered questions.
# Below QA_ROUTING_MIN_QUESTIONS answered questions no model is trained and the form suggests nothing.
QA_ROUTING_MIN_QUESTIONS = env.int("QA_ROUTING_MIN_QUESTIONS", default=200)
# The newest answered questions used for training (the bench trains on 1,000,000 in about a minute).
QA_ROUTING_MAX_QUESTIONS = env.int("QA_ROUTING_MAX_QUESTIONS", default=1_000_000)
# The first agency is preselected only when its probability reaches this.
QA_ROUTING_CONFIDENT = env.float("QA_ROUTING_CONFIDENT", default=0.6)
# Retrain when this many questions were answered since the current model (checked hourly), and nightly anyway.
QA_ROUTING_RETRAIN_AFTER = env.int("QA_ROUTING_RETRAIN_AFTER", default=500)
QA_SUGGEST_RATE_PER_IP = env("QA_SUGGEST_RATE_PER_IP", default="120/m")

# HTTP through config.asgi.RequestThreadASGIHandler (sync middleware chain in one reused thread per
# request, measured in docs/performance.md); false falls back to Django's stock ASGIHandler.
ASGI_FAST_HTTP = env.bool("ASGI_FAST_HTTP", default=True)

# --- Live dialogues (docs/live-protocol.md) ---------------------------------------------------
# The hub: one Redis pub/sub subscription per process and session, frames written to local sockets
# in a plain loop (measured in ../shared/stack-notes.md; the Channels-group design it replaced is bench/group.py).
# Redis for the hub; empty means REDIS_URL, and with neither the hub is in-process (embedded run).
DIALOGUES_HUB_REDIS_URL = env("DIALOGUES_HUB_REDIS_URL", default="")
DIALOGUES_HUB_PREFIX = env("DIALOGUES_HUB_PREFIX", default="hoidap:dlg")
# A client further behind than this many events gets a fresh snapshot instead of a replay.
DIALOGUES_REPLAY_LIMIT = 1000
# Recent frames each process keeps per session, so reconnecting clients resume without a query.
DIALOGUES_REPLAY_CACHE = 500
# The hub frames each event once and writes the bytes to every uvicorn socket directly, as uvicorn's own send
# would (dialogues/wire.py); False sends every frame through the ASGI send instead.
DIALOGUES_DIRECT_WRITES = env.bool("DIALOGUES_DIRECT_WRITES", default=True)
# Vote and viewer counts are coalesced into one frame per interval (seconds).
DIALOGUES_COUNTS_INTERVAL = 0.5
# The live page's heartbeat: the server sends a counts frame at least this often; a page that hears nothing
# for 2.5 heartbeats (after its own ping) shows "reconnecting" and opens a new socket.
DIALOGUES_HEARTBEAT_SECONDS = env.float("DIALOGUES_HEARTBEAT_SECONDS", default=15.0)
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

# --- Security headers (docs/security.md) --------------------------------------------------------
# Content-Security-Policy on every response (django-csp 4.0): scripts, styles and everything else from this
# origin only, no inline script or style anywhere. Pages that need more say so per view: the live watcher
# page frames the allowed video hosts (dialogues.video.csp_sources). 'self' in connect-src also covers the
# live sockets (ws:/wss: of this host, CSP Level 3; checked in Chromium by tests/config/test_csp_browser.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for small inline images (icons); uploads are served from this origin.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "frame-src": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Also sent outside production (Django's defaults, spelt out): no referrer to other sites (tracking links
# carry a secret token), a window of its own, never framed.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Operations (docs/operations.md) ---------------------------------------------------------
# One deadline (seconds) for all of /readyz's checks together; a dead dependency answers 503 in time.
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=1.5)
# /readyz fails when the last Celery heartbeat (beat every 30 s, run by a worker) is older than this.
CELERY_HEARTBEAT_MAX_AGE = env.int("CELERY_HEARTBEAT_MAX_AGE", default=180)

# /metrics answers these addresses (CIDRs allowed), or a request with "Authorization: Bearer <METRICS_TOKEN>".
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# A Celery worker serves its own metrics on this port (0: off) and address (config/metrics.py).
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=0)
CELERY_METRICS_ADDR = env("CELERY_METRICS_ADDR", default="127.0.0.1")
# Structured logs (config/logs.py): "json" (one JSON object a line, production's default) or "console".
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="console")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env("DJANGO_LOG_LEVEL", default="INFO"))


# --- Statistics (stats app) ------------------------------------------------------------------
# DejaVu Sans (Debian's fonts-dejavu-core) draws every Vietnamese diacritic in the report PDFs; read from disk only.
STATS_REPORT_FONT_DIR = env("STATS_REPORT_FONT_DIR", default="/usr/share/fonts/truetype/dejavu")
