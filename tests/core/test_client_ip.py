"""core.client_ip: X-Forwarded-For is believed only from TRUSTED_PROXIES, read from the right."""

import pytest
from django.test import RequestFactory

from core.client_ip import client_ip, client_ip_from, client_ip_from_scope

PROXY = "172.30.57.10"


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        # Nobody trusted (the default): a forged header changes nothing.
        ([], "203.0.113.7", "1.2.3.4", "203.0.113.7"),
        ([], "203.0.113.7", None, "203.0.113.7"),
        # The peer is not a trusted proxy: its header is ignored.
        ([PROXY], "203.0.113.7", "1.2.3.4", "203.0.113.7"),
        # From the trusted proxy: the address it appended (right-most), not what the client wrote before it.
        ([PROXY], PROXY, "1.2.3.4, 198.51.100.20", "198.51.100.20"),
        ([PROXY], PROXY, "198.51.100.20", "198.51.100.20"),
        # Two proxies of ours (a CIDR): skip both, the first outside address is the client.
        (["172.30.57.0/24"], "172.30.57.10", "9.9.9.9, 198.51.100.20, 172.30.57.11", "198.51.100.20"),
        # The trusted proxy sent no header, or only garbage: the proxy itself is all we know.
        ([PROXY], PROXY, None, PROXY),
        ([PROXY], PROXY, "not-an-ip", PROXY),
        # Ports and IPv6 forms as proxies write them.
        ([PROXY], PROXY, "[2001:db8::5]:4433", "2001:db8::5"),
        ([PROXY], PROXY, "198.51.100.20:5555", "198.51.100.20"),
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
        (["127.0.0.1"], "::ffff:127.0.0.1", "198.51.100.3", "198.51.100.3"),
        # No usable peer address at all.
        ([], "", None, None),
        ([], "garbage", None, None),
    ],
)
def test_client_ip_table(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    assert client_ip_from(remote, forwarded) == expected


def test_client_ip_reads_the_request(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.20")
    assert client_ip(request) == "198.51.100.20"
    settings.TRUSTED_PROXIES = []
    assert client_ip(request) == PROXY


def test_client_ip_reads_an_asgi_scope(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    scope = {"client": (PROXY, 4000), "headers": [(b"x-forwarded-for", b"198.51.100.20")]}
    assert client_ip_from_scope(scope) == "198.51.100.20"
    assert client_ip_from_scope({"client": ("203.0.113.1", 1), "headers": scope["headers"]}) == "203.0.113.1"
    assert client_ip_from_scope({}) is None
