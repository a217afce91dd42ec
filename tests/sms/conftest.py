"""Fixtures for the SMS gateway: the in-memory mailbox and a real Kannel (SPEC SMS-2).

Other test packages can use them by importing into their conftest:
    from tests.sms.conftest import kannel, sms_outbox  # noqa: F401
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from tests.conftest import require_packages, require_service
from tests.sms.kannel import KannelHarness, TcpGate, kannel_available
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


def _portal_url(live_server) -> str:
    # Kannel resolves names itself; the loopback address avoids an IPv6 "localhost".
    return live_server.url.replace("://localhost:", "://127.0.0.1:")


@contextmanager
def _running_kannel(live_server, settings, workdir, portal_url: str, **options):
    require_packages(*KANNEL)  # issue 12 item 5: one line saying how to install them
    ok, why = kannel_available()
    require_service(ok, why)
    _share_test_database_with(live_server)
    from django.db import connection

    # The live server's threads share SQLite's one in-memory connection: the relay forwards one
    # request at a time there (parallel requests would interleave their savepoints).
    options.setdefault("relay_threads", 1 if connection.vendor == "sqlite" else 4)
    harness = KannelHarness(
        workdir=workdir, portal_url=portal_url, secret=settings.SMS_INBOUND_SECRET, **options
    )
    try:
        harness.start()
        settings.SMS_BACKEND = "kannel"
        settings.KANNEL_SENDSMS_URL = harness.sendsms_url
        settings.KANNEL_USERNAME = harness.username
        settings.KANNEL_PASSWORD = harness.password
        settings.SMS_DLR_BASE_URL = harness.callback_url  # delivery reports through the relay too
        settings.KANNEL_TIMEOUT = 5
        yield harness
    finally:
        harness.close()


@pytest.fixture
def kannel(django_db_setup, transactional_db, live_server, settings, tmp_path):
    """A running Kannel wired to this test's portal (live_server) — see tests/sms/kannel.py.

    Settings point the portal at it: SMS_BACKEND=kannel, KANNEL_SENDSMS_URL, credentials and
    SMS_DLR_BASE_URL (delivery reports come back to live_server through the relay). Its
    sms-service get-url is the relay (deploy/kannel/kannel_relay.py), which forwards to
    live_server's /api/v1/sms/inbound/ with the test's SMS_INBOUND_SECRET. Needs the database
    committed for real (transactional_db): Kannel calls the portal from another thread.
    """
    with _running_kannel(live_server, settings, tmp_path / "kannel", _portal_url(live_server)) as harness:
        yield harness


@pytest.fixture
def portal_gate(live_server):
    """A TcpGate in front of live_server: `portal_gate.close()` is the portal down (connections
    refused), `portal_gate.open()` the portal back."""
    host_port = _portal_url(live_server).rsplit("/", 1)[-1]
    host, port = host_port.rsplit(":", 1)
    gate = TcpGate(host, int(port))
    yield gate
    gate.close()


@pytest.fixture
def kannel_gated(django_db_setup, transactional_db, live_server, portal_gate, settings, tmp_path):
    """Like `kannel`, but Kannel (through the relay) reaches the portal only through
    `portal_gate`, so a test can take the portal down and bring it back."""
    with _running_kannel(live_server, settings, tmp_path / "kannel", portal_gate.url) as harness:
        yield harness


@pytest.fixture
def kannel_direct_gated(django_db_setup, transactional_db, live_server, portal_gate, settings, tmp_path):
    """Kannel without the relay (smsbox calls the portal itself) behind `portal_gate`: the set-up
    issue 13 item 3 found losing replies."""
    with _running_kannel(
        live_server, settings, tmp_path / "kannel", portal_gate.url, relay=False
    ) as harness:
        yield harness
