"""Deployment: only the nginx proxy's X-Forwarded-For is believed, by uvicorn and by Django (issue 11)."""

import ipaddress
import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _default(value: str) -> str:
    """`${PROXY_IP:-172.30.57.10}` → its default."""
    match = re.fullmatch(r"\$\{[A-Z_]+:-([^}]+)\}", value)
    return match[1] if match else value


def test_dockerfile_does_not_trust_every_forwarder():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"--forwarded-allow-ips", "*"' not in dockerfile and "forwarded-allow-ips *" not in dockerfile
    assert re.search(r"^ENV FORWARDED_ALLOW_IPS=127\.0\.0\.1$", dockerfile, re.MULTILINE)


def test_compose_trusts_exactly_the_proxy_container():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    proxy_ip = _default(compose["services"]["proxy"]["networks"]["default"]["ipv4_address"])
    subnet = _default(compose["networks"]["default"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(proxy_ip) in ipaddress.ip_network(subnet)
    environment = compose["services"]["web"].get("environment") or compose["x-app"]["environment"]
    assert _default(environment["TRUSTED_PROXIES"]) == proxy_ip
    assert _default(environment["FORWARDED_ALLOW_IPS"]) == proxy_ip


def test_trust_nobody_by_default():
    assert settings.TRUSTED_PROXIES == []
    assert "TRUSTED_PROXIES" in (ROOT / ".env.example").read_text()
