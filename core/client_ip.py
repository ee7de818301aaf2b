"""The client's IP address: the one place that decides whether X-Forwarded-For is believed.

A header anyone can send cannot be trusted by default: REMOTE_ADDR (the TCP peer, or what the
ASGI server made of it) is the address, unless that peer is one of settings.TRUSTED_PROXIES.
Then X-Forwarded-For is read from the right (each proxy appends the address it saw) and the
first address that is not itself a trusted proxy is the client; everything left of it was
written by the client and is ignored. Rate limits, django-axes and audit logs all use this.
"""

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """Parse TRUSTED_PROXIES ("10.0.0.2", "172.30.0.0/24", "::1") once per distinct value."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _parse(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not value:
        return None
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:5555"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: Iterable[Network]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip_from(remote_addr: str | None, forwarded_for: str | None) -> str | None:
    """The client address from the peer address and the X-Forwarded-For value (None: unknown)."""
    peer = _parse(remote_addr)
    if peer is None:
        return None
    networks = trusted_networks()
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    hops = [hop for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # A garbled entry: nothing further left can be trusted; the last trusted hop is the answer.
            break
        if not _is_trusted(address, networks):
            return str(address)
        peer = address
    return str(peer)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for an HTTP request (Django or DRF request)."""
    meta = request.META
    return client_ip_from(meta.get("REMOTE_ADDR"), meta.get("HTTP_X_FORWARDED_FOR"))


def client_ip_from_scope(scope: Mapping) -> str | None:
    """The same decision for an ASGI scope (WebSocket consumers)."""
    client = scope.get("client") or (None, None)
    forwarded = None
    for name, value in scope.get("headers") or ():
        if name == b"x-forwarded-for":
            forwarded = value.decode("latin-1") if forwarded is None else f"{forwarded},{value.decode('latin-1')}"
    return client_ip_from(client[0], forwarded)
