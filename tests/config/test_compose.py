"""Deployment files: docker-compose.yml against the compose specification, the Dockerfile, .env.example.

The compose file is validated with check-jsonschema's vendored copy of the compose
spec; the test runs it with every proxy pointing at a closed port, so a validator
that reached for the network would fail here instead of passing by luck.
"""

import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
COMPOSE = ROOT / "docker-compose.yml"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
APP_SERVICES = ("web", "worker", "beat")
SECRETS = ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD")
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z_][A-Z0-9_]*)(?P<rest>[^}]*)\}")


def run_validator(path: Path) -> subprocess.CompletedProcess:
    dead = "http://127.0.0.1:9"  # nothing listens here: any network use fails
    env = {**os.environ, "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "ALL_PROXY": dead, "NO_PROXY": ""}
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_the_compose_schema_is_vendored_with_the_validator():
    schema = resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "compose-spec.json"
    data = json.loads(schema.read_text())
    assert "services" in data["properties"]
    assert CHECK_JSONSCHEMA.exists()


def test_docker_compose_yml_is_valid_offline():
    result = run_validator(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_rejects_an_invalid_compose_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("    command:", "    comand:", 1))
    result = run_validator(broken)
    assert result.returncode != 0
    assert "comand" in result.stdout + result.stderr


def test_the_stack_has_its_services_wired_together(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    # One image for the application processes.
    for name in ("worker", "beat", "migrate"):
        assert services[name]["build"] == services["web"]["build"]
        assert services[name]["image"] == services["web"]["image"]
    assert services["worker"]["command"][:3] == ["celery", "-A", "config"]
    assert "worker" in services["worker"]["command"] and "default,email" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    # The web process migrates nothing itself: it waits for the one-shot migrate service.
    assert "manage.py migrate" in " ".join(services["migrate"]["command"])
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        for variable in ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "SITE_URL"):
            assert variable in services[name]["environment"], (name, variable)
        assert "EMAIL_URL" in services[name]["environment"]
    assert services["postgres"]["image"] == "postgres:15" and "healthcheck" in services["postgres"]
    assert services["redis"]["image"] == "redis:7" and "healthcheck" in services["redis"]
    # Data survives a restart: database files and uploaded attachments are volumes.
    assert {"pgdata", "media"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "media:/app/media" in services["web"]["volumes"]
    # Only the proxy is reachable from outside; it serves static files and forwards the rest to web.
    assert [name for name, service in services.items() if "ports" in service] == ["proxy"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server web:8000" in nginx and "/srv/static/" in nginx and "Upgrade $http_upgrade" in nginx


def test_no_secret_has_a_default(compose):
    text = COMPOSE.read_text()
    seen = {name: [] for name in SECRETS}
    for match in INTERPOLATION.finditer(text):
        if match["name"] in SECRETS:
            seen[match["name"]].append(match["rest"])
    for name, uses in seen.items():
        assert uses, f"{name} is not taken from the environment"
        # ${NAME:?message} / ${NAME?message} refuse to start without a value; ${NAME:-x} would bake x in.
        assert all(rest.startswith((":?", "?")) for rest in uses), (name, uses)
    for name, service in compose["services"].items():
        environment = service.get("environment") or {}
        for key, value in environment.items():
            if re.search(r"SECRET|PASSWORD|TOKEN", key):
                assert "${" in str(value), f"{name}.{key} has a literal value"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert not re.search(r"^\s*(ENV|ARG)\b.*SECRET", dockerfile, re.MULTILINE)


def test_dockerfile_builds_a_non_root_uvicorn_image():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert stages and all(image == "python:3.11-slim" for image in stages)
    assert "gettext" in dockerfile and "compilemessages" in dockerfile and "collectstatic --noinput" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in dockerfile
    cmd = json.loads(re.search(r"^CMD (\[.*?\])", dockerfile, re.MULTILINE | re.DOTALL)[1].replace("\\\n", ""))
    assert cmd[:2] == ["uvicorn", "config.asgi:application"]
    assert cmd[cmd.index("--ws") + 1] == "websockets-sansio"
    # Live frames written once for every socket (dialogues/wire.py) need sockets without compression.
    assert cmd[cmd.index("--ws-per-message-deflate") + 1] == "false"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git"} <= set(ignored)


def test_env_example_lists_every_variable_the_project_reads():
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    read = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        read |= set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", path.read_text()))
    read |= {match["name"] for match in INTERPOLATION.finditer(COMPOSE.read_text())}
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "POSTGRES_PASSWORD"} <= read
    assert read - listed == set()
