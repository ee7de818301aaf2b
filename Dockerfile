# Hỏi đáp & Đối thoại: one image for the web server (uvicorn), the Celery worker and Celery beat.
#
# Two stages: the build stage has gettext (for compilemessages) and pip; the runtime stage
# gets only the virtualenv and the prepared application, and runs as a non-root user.
# Settings come from the environment at run time (config.settings.production: no default
# secrets); see docker-compose.yml and .env.example.

FROM python:3.11-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files and compiled translations are built into the image. Production settings refuse
# to start without a secret and allowed hosts; these build-only values exist for these two
# commands and are not part of the image's environment.
RUN DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_SECRET_KEY=build-only-not-a-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    sh -c "python manage.py compilemessages -v 0 && python manage.py collectstatic --noinput -v 0"


FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/venv/bin:$PATH" \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/app/media

# WeasyPrint (the statistics report PDFs) draws with pango; DejaVu Sans has every Vietnamese diacritic.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

COPY --from=build /opt/venv /opt/venv
# The code stays root-owned (read-only for the app). The app user owns only what it writes:
# collected static files (refreshed by the migrate service) and uploaded attachments. Both are
# volumes in docker-compose.yml; a fresh named volume takes this ownership from the image.
COPY --from=build /app /app
RUN mkdir -p /app/media && chown -R app:app /app/media /app/staticfiles

WORKDIR /app
USER app
EXPOSE 8000

# WebSockets through the sans-I/O implementation (lighter per socket, see ../shared/stack-notes.md), without
# permessage-deflate: browsers offer it and uvicorn would compress every live frame once per socket; without it
# the hub frames an event once and writes the same bytes to every socket (dialogues/wire.py, docs/performance.md).
# Proxy headers are believed only from $FORWARDED_ALLOW_IPS (uvicorn reads the variable itself):
# the nginx proxy's address in docker-compose.yml; the default trusts only the loopback.
# Django decides on X-Forwarded-For again with TRUSTED_PROXIES (accounts/client_ip.py).
# Processes: $WEB_CONCURRENCY (uvicorn reads it), default 1.
ENV FORWARDED_ALLOW_IPS=127.0.0.1
CMD ["uvicorn", "config.asgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--ws", "websockets-sansio", "--ws-per-message-deflate", "false", "--proxy-headers"]
