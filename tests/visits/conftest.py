import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ContactFactory


@pytest.fixture
def field(book, people):
    """g1 (class A, am1) with a primary contact and a decision-maker who can be surveyed."""
    g1 = book["g1"]
    primary = ContactFactory(group=g1, name="王联系", type="contact", is_primary=True, mobile="13900000001",
                             counterpart=people["am1"], counterpart_level="am")
    boss = book["c1"]  # 张总, 13812345678
    quiet = ContactFactory(group=g1, name="不打扰", type="dept_head", mobile="13900000002", no_surveys=True)
    return {"g1": g1, "primary": primary, "boss": boss, "quiet": quiet}


@pytest.fixture
def log_visit(people):
    from visits.services import visit_log_create

    def go(group, contacts, by=None, **kw):
        kw.setdefault("kind", "routine")
        kw.setdefault("notes", "例行走访")
        kw.setdefault("started_at", timezone.now() - dt.timedelta(hours=1))
        kw.setdefault("next_visit_on", timezone.localdate() + dt.timedelta(days=20))
        kw.setdefault("purposes", ["relationship"])
        return visit_log_create(group=group, by=by or people["am1"], contacts=contacts, **kw)

    return go


@pytest.fixture
def flush():
    """Send what the outbox holds through the in-memory backend; returns the messages sent."""
    from portal.sms import backends
    from portal.sms.services import outbox_flush

    backends.memory_clear()

    def go():
        """Everything sent since the last call (on-commit sends included)."""
        outbox_flush()
        sent = list(backends.memory_outbox)
        backends.memory_clear()
        return sent

    return go


from tests.sms.conftest import kannel, sms_outbox  # noqa: E402,F401  (the real gateway for the loop test)
