"""API throttles that know the client by the same address as django-axes (portal.clientip)."""
from rest_framework.throttling import ScopedRateThrottle

from portal.clientip import client_ip


class ClientScopedRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, but a client-sent X-Forwarded-For does not choose its bucket:
    the address is the one TRUSTED_PROXIES vouch for, as for login lock-outs."""

    def get_ident(self, request):
        return client_ip(request) or ""
