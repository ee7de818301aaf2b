"""Security headers: the Content-Security-Policy everywhere, HTTPS settings in production, `check --deploy` clean."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from tests.dialogues.factories import LiveSessionFactory

STRONG_KEY = "k3Zr8-vQn2LwP0sXy7TbHfJc9UeMa4dRg6NiKo1ZpWqEt5YuIs_AlBvCxDn"


def _production(*args: str, **env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_ALLOWED_HOSTS="hoidap.haiphong.gov.vn",
    )
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args], cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


SETTINGS_PROBE = (
    "import json; from django.conf import settings; print(json.dumps({name: getattr(settings, name) for name in ("
    "'SECURE_SSL_REDIRECT', 'SECURE_REDIRECT_EXEMPT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS',"
    "'SECURE_HSTS_PRELOAD', 'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',"
    "'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', 'SECURE_CROSS_ORIGIN_OPENER_POLICY',"
    "'SECURE_CONTENT_TYPE_NOSNIFF')}))"
)


def _production_settings(**env_overrides) -> dict:
    result = _production("-c", SETTINGS_PROBE, **env_overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_gives_no_warning_under_production_settings():
    result = _production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "security.W" not in result.stdout + result.stderr


def test_check_deploy_would_say_so_without_hsts_or_redirect():
    """The check is not blind: turning HSTS and the redirect off brings W004 and W008 back."""
    result = _production(
        "manage.py", "check", "--deploy", DJANGO_SECURE_HSTS_SECONDS="0", DJANGO_SECURE_SSL_REDIRECT="false"
    )
    assert "security.W004" in result.stdout + result.stderr
    assert "security.W008" in result.stdout + result.stderr


def test_production_https_defaults():
    values = _production_settings()
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True


def test_production_https_settings_come_from_the_environment():
    values = _production_settings(
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_HSTS_SECONDS="600",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        DJANGO_SECURE_HSTS_PRELOAD="false",
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is False


@pytest.mark.django_db
def test_https_redirect_spares_the_health_probes_only(client, settings):
    exempt = _production_settings()["SECURE_REDIRECT_EXEMPT"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = exempt
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = client.get("/questions/?page=2")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/questions/?page=2"
    for probe in ("/healthz", "/readyz", "/healthz/", "/readyz/"):
        assert client.get(probe).status_code != 301, probe
    assert client.get("/healthz-not/").status_code == 301

    # Behind the TLS-terminating proxy: served, with HSTS.
    secure = client.get("/about/", headers={"x-forwarded-proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


RESPONSE_PROBE = """
import json
import django
django.setup()
from django.test import Client
client = Client(headers={"host": "hoidap.haiphong.gov.vn"})
plain = client.get("/about/")
secure = client.get("/about/", headers={"x-forwarded-proto": "https"})
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "probes": [client.get(path).status_code for path in ("/healthz", "/readyz/")],
    "secure": secure.status_code,
    "headers": {name: secure.get(name) for name in (
        "Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options", "Referrer-Policy",
        "Cross-Origin-Opener-Policy", "X-Content-Type-Options")},
}))
"""


def test_production_responses_end_to_end(tmp_path):
    """The real production settings module answering requests: redirect, probes spared, every header."""
    result = _production("-c", RESPONSE_PROBE, DATABASE_URL=f"sqlite:///{tmp_path / 'probe.db'}", PYTHONPATH=".")
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://hoidap.haiphong.gov.vn/about/"]
    assert 301 not in seen["probes"]
    assert seen["secure"] == 200
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";"))}


@pytest.mark.django_db
@pytest.mark.sqlite
@pytest.mark.parametrize("path", ["/", "/questions/", "/ask/", "/about/", "/accounts/login/", "/api/docs/"])
def test_every_page_carries_the_strict_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-src"] == ["'none'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.sqlite
def test_the_api_docs_keep_the_global_policy_and_load_their_script_from_a_file(client):
    page = client.get("/api/docs/")
    html = page.content.decode()
    assert _policy(page)["script-src"] == ["'self'"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script on the docs page"
    assert "<style" not in html and "style=" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


@pytest.mark.django_db
@pytest.mark.sqlite
def test_only_the_watcher_page_frames_the_allowed_video_hosts(client, settings):
    settings.DIALOGUES_VIDEO_EMBED_HOSTS = ["www.youtube.com", "player.vimeo.com"]
    session = LiveSessionFactory(video_url="https://www.youtube.com/embed/abc")
    watcher = _policy(client.get(session.get_absolute_url()))
    assert watcher["frame-src"] == ["https://player.vimeo.com", "https://www.youtube.com"]
    assert watcher["media-src"] == ["'self'", "https:", "blob:"]
    assert watcher["script-src"] == ["'self'"] and watcher["frame-ancestors"] == ["'none'"]

    settings.DIALOGUES_VIDEO_EMBED_HOSTS = []
    assert _policy(client.get(session.get_absolute_url()))["frame-src"] == ["'none'"]
    assert _policy(client.get("/dialogues/"))["frame-src"] == ["'none'"]


TEMPLATE_DIRS = [django_settings.BASE_DIR / "templates"] + [
    django_settings.BASE_DIR / app / "templates" for app in ("accounts", "qa", "dialogues", "notifications")
]


def test_no_page_template_has_inline_script_style_or_handlers():
    """E-mail templates are exempt (no CSP in mail readers, and they need inline style), and so are the
    templates WeasyPrint turns into PDFs on the server (`*_pdf.html`: never sent to a browser); pages are not."""
    inline = re.compile(
        r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I
    )
    offenders = []
    for directory in TEMPLATE_DIRS:
        if not directory.exists():
            continue
        for path in directory.rglob("*.html"):
            if "emails" in path.relative_to(directory).parts or path.stem.endswith("_pdf"):
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if inline.search(line):
                    offenders.append(f"{path}:{number}: {line.strip()[:100]}")
    assert offenders == []
