"""Production settings refuse to start without their secrets (they have no defaults)."""

import os
import subprocess
import sys

from django.conf import settings as django_settings

PROBE = "from django.conf import settings; print(settings.SECRET_KEY[:4], settings.DEBUG, settings.ALLOWED_HOSTS)"


def _load_production(**env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _load_production(DJANGO_ALLOWED_HOSTS="hoidap.haiphong.gov.vn")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_an_empty_secret_key():
    result = _load_production(DJANGO_SECRET_KEY="", DJANGO_ALLOWED_HOSTS="hoidap.haiphong.gov.vn")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _load_production(DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_its_secrets_and_debug_off():
    result = _load_production(DJANGO_SECRET_KEY="prod" + "x" * 46, DJANGO_ALLOWED_HOSTS="hoidap.haiphong.gov.vn")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["prod", "False", "['hoidap.haiphong.gov.vn']"]
