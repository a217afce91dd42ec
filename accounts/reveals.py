"""Rate limit on reveals of personal data in clear (SPEC ORG-4), per user, policy
`security.reveals_per_hour` (CFG-1). Every reveal path (contact page, API, and any other record
that masks personal data) calls `reveal_rate_check` before showing anything."""
from __future__ import annotations

import time

from django.core.cache import cache
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError
from portal.policy import policy

WINDOW_SECONDS = 3600


def reveal_rate_check(*, user) -> None:
    """Count one reveal for `user` in the current clock hour; ApplicationError (429) beyond the
    policy's limit. The count lives in the shared cache (Redis in production), so every web
    process sees the same figure."""
    limit = policy("security.reveals_per_hour")
    window = int(time.time()) // WINDOW_SECONDS
    key = f"reveals:{user.pk}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    if count > limit:
        wait_minutes = max(1, ((window + 1) * WINDOW_SECONDS - int(time.time()) + 59) // 60)
        raise ApplicationError(
            _("You have revealed personal data %(limit)s times this hour, the most allowed. "
              "Try again in %(minutes)s minutes.") % {"limit": limit, "minutes": wait_minutes},
            status_code=429, extra={"retry_after_minutes": wait_minutes},
        )
