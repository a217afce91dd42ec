"""The Kannel backend's HTTP client against a stand-in sendsms server (SPEC SMS-2): what it sends
and how it reads Kannel's answers. The real Kannel is in test_kannel.py."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.sms.backends import KannelBackend, OutgoingSms, get_backend
from tests.sms.kannel import free_port


class FakeSendsms:
    """Answers each GET with the next (status, body, delay) and records the query."""

    def __init__(self):
        self.answers: list[tuple[int, str, float]] = []
        self.requests: list[dict[str, list[str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                fake.requests.append(parse_qs(urlsplit(self.path).query))
                status, body, delay = (
                    fake.answers.pop(0) if fake.answers else (202, "0: Accepted for delivery", 0)
                )
                time.sleep(delay)
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/sendsms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sendsms(settings):
    fake = FakeSendsms()
    settings.SMS_BACKEND = "kannel"
    settings.KANNEL_SENDSMS_URL = fake.url
    settings.KANNEL_USERNAME, settings.KANNEL_PASSWORD = "portal", "pw"
    settings.SMS_SENDER = "10086"
    settings.KANNEL_TIMEOUT = 1
    yield fake
    fake.close()


def _send(*messages):
    backend = get_backend()
    try:
        return backend.send_many(list(messages))
    finally:
        backend.close()


def test_chinese_goes_as_ucs2_with_a_dlr_url(sendsms, settings):
    """SMS-2: Chinese needs charset=UTF-8&coding=2, else Kannel sends "?"; dlr-mask 31 and a
    dlr-url carrying the row id; no max-messages for a single SMS."""
    settings.SMS_DLR_BASE_URL = "http://127.0.0.1:8000"
    [result] = _send(OutgoingSms(id=41, to="13800138000", text="您好，请回复1"))
    assert result.ok
    [q] = sendsms.requests
    assert q["text"] == ["您好，请回复1"] and q["charset"] == ["UTF-8"] and q["coding"] == ["2"]
    assert q["username"] == ["portal"] and q["password"] == ["pw"] and q["from"] == ["10086"]
    assert q["to"] == ["13800138000"] and q["dlr-mask"] == ["31"]
    # the secret as user-info (HTTP Basic from Kannel), not in the query (issue 12 item 9)
    assert q["dlr-url"][0].startswith(f"http://kannel:{settings.SMS_INBOUND_SECRET}@127.0.0.1:8000/api/v1/sms/dlr/?id=41&type=%d")
    assert "max-messages" not in q


def test_ascii_goes_as_7bit_and_long_text_allows_parts(sendsms, settings):
    """SMS-4: plain ASCII is not forced to UCS-2; a long text carries max-messages."""
    settings.KANNEL_MAX_MESSAGES = 6
    _send(
        OutgoingSms(id=1, to="13800138000", text="Code 1234"),
        OutgoingSms(id=2, to="13800138000", text="长" * 80),
    )
    by_text = {q["text"][0]: q for q in sendsms.requests}
    assert "coding" not in by_text["Code 1234"]
    assert by_text["长" * 80]["max-messages"] == ["6"]


@pytest.mark.parametrize(
    "status, body, ok, retryable",
    [
        (202, "0: Accepted for delivery", True, False),
        (202, "3: Queued for later delivery", True, False),
        (503, "Temporal failure, try again later.", False, True),
        (500, "", False, True),
        (403, "Authorization failed for sendsms", False, False),
        (400, "Sender missing and no global set, rejected", False, False),
    ],
)
def test_kannel_answers(sendsms, status, body, ok, retryable):
    """SMS-2: accepted / queued count as sent; 5xx retryable; other 4xx permanent."""
    sendsms.answers.append((status, body, 0))
    [result] = _send(OutgoingSms(id=1, to="13800138000", text="x"))
    assert (result.ok, result.retryable) == (ok, retryable)
    if not ok:
        assert str(status) in result.error


def test_timeout_is_ambiguous_and_refused_connection_retryable(sendsms, settings):
    """SMS-1, issue 13 item 4: a gateway that took the request but did not answer in time may
    have accepted it: "outcome unknown", not retryable (a retry could send it twice). A refused
    connection never reached Kannel: retryable, never a lost message."""
    sendsms.answers.append((202, "0: Accepted for delivery", 2))
    [hung] = _send(OutgoingSms(id=1, to="13800138000", text="x"))
    assert not hung.ok and hung.ambiguous and not hung.retryable and "timed out" in hung.error
    assert len(sendsms.requests) == 1  # it did reach the gateway
    settings.KANNEL_SENDSMS_URL = f"http://127.0.0.1:{free_port()}/cgi-bin/sendsms"
    [refused] = _send(OutgoingSms(id=2, to="13800138000", text="x"))
    assert not refused.ok and refused.retryable and not refused.ambiguous and "unreachable" in refused.error


def test_parallel_sends_keep_results_in_order(sendsms, settings):
    """SMS-1: results line up with the batch however the threads finish."""
    settings.KANNEL_CONCURRENCY = 4
    sendsms.answers.extend(
        [(202, "0: Accepted", 0.05), (403, "Denied", 0), (202, "0: Accepted", 0), (503, "x", 0)]
    )
    results = _send(*[OutgoingSms(id=i, to="13800138000", text=f"m{i}") for i in range(4)])
    assert len(results) == 4
    assert sum(r.ok for r in results) == 2
    assert len(sendsms.requests) == 4


def test_unknown_backend_is_a_clear_error(settings):
    settings.SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(ValueError, match="carrier-pigeon"):
        get_backend()
    assert isinstance(get_backend("kannel"), KannelBackend)
