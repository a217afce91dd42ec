"""The client's address, for every place that needs one: django-axes (login lock-outs), the API's
token throttle and the audit log.

X-Forwarded-For is written by whoever sends the request, so it is believed only as far as it was
written by a proxy we trust (settings.TRUSTED_PROXIES, from the environment; empty by default).
The walk is the one nginx's `real_ip_recursive` does: start at the peer (REMOTE_ADDR); while the
address in hand is a trusted proxy, step one entry left in X-Forwarded-For; the first untrusted
address is the client. So with no trusted proxies the header is ignored, and behind the proxy a
client cannot choose its address by sending the header itself (the proxy appends the real peer).
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _trusted(addr: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_ip(request) -> str | None:
    """The client's address as far as the trusted proxies vouch for it (see the module docstring)."""
    if request is None:
        return None
    meta = getattr(request, "META", {})
    addr = (meta.get("REMOTE_ADDR") or "").strip()
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(addr, networks):
        return addr or None
    hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    while hops and _trusted(addr, networks):
        candidate = hops.pop()
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            break  # garbage in the header: keep the last address a trusted proxy gave us
        addr = candidate
    return addr or None


def check_trusted_proxies(value) -> list[str]:
    """Every entry must be an IP address or network; raises ValueError naming the bad one."""
    for p in value:
        try:
            ipaddress.ip_network(p.strip(), strict=False)
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {p!r} is not an IP address or network") from None
    return list(value)
