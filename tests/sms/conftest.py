"""Fixtures for the SMS gateway: the in-memory mailbox and a real Kannel (SPEC SMS-2).

Other test packages can use them by importing into their conftest:
    from tests.sms.conftest import kannel, sms_outbox  # noqa: F401
"""

from __future__ import annotations

import pytest

from tests.conftest import require_packages, require_service
from tests.sms.kannel import KannelHarness, kannel_available
from tests.system_packages import KANNEL


@pytest.fixture
def sms_outbox():
    """The memory backend's mailbox, emptied before and after the test: a list of OutgoingSms."""
    from portal.sms import backends

    backends.memory_clear()
    yield backends.memory_outbox
    backends.memory_clear()


def _share_test_database_with(live_server) -> None:
    """SQLite's in-memory test database must reach the live server through the test's own
    connection; a second connection to it hits "database table is locked" (shared cache).
    pytest-django only arranges that when the database exists before live_server starts."""
    from django.db import connections

    override = live_server.thread.connections_override  # the dict the server's threads read
    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db() and override.get(conn.alias) is not conn:
            conn.inc_thread_sharing()
            override[conn.alias] = conn


@pytest.fixture
def kannel(django_db_setup, transactional_db, live_server, settings, tmp_path):
    """A running Kannel wired to this test's portal (live_server) — see tests/sms/kannel.py.

    Settings point the portal at it: SMS_BACKEND=kannel, KANNEL_SENDSMS_URL, credentials and
    SMS_DLR_BASE_URL (delivery reports come back to live_server). Its sms-service get-url is
    live_server's /api/v1/sms/inbound/ with the test's SMS_INBOUND_SECRET. Needs the database
    committed for real (transactional_db): Kannel calls the portal from another thread.
    """
    require_packages(*KANNEL)  # issue 12 item 5: one line saying how to install them
    ok, why = kannel_available()
    require_service(ok, why)
    _share_test_database_with(live_server)
    # Kannel resolves names itself; the loopback address avoids an IPv6 "localhost".
    portal_url = live_server.url.replace("://localhost:", "://127.0.0.1:")
    harness = KannelHarness(
        workdir=tmp_path / "kannel", portal_url=portal_url, secret=settings.SMS_INBOUND_SECRET
    )
    try:
        harness.start()
        settings.SMS_BACKEND = "kannel"
        settings.KANNEL_SENDSMS_URL = harness.sendsms_url
        settings.KANNEL_USERNAME = harness.username
        settings.KANNEL_PASSWORD = harness.password
        settings.SMS_DLR_BASE_URL = portal_url
        settings.KANNEL_TIMEOUT = 5
        yield harness
    finally:
        harness.close()
