"""Where outgoing SMS go (SPEC SMS-2), chosen by settings.SMS_BACKEND: console, memory, kannel.

Backends see plain `OutgoingSms` values, never model instances: the Kannel backend sends from
worker threads, which must not touch the ORM.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse

from .rendering import is_gsm_ascii, sms_parts

logger = logging.getLogger("portal.sms")


@dataclass(frozen=True)
class OutgoingSms:
    id: int
    to: str
    text: str
    sender: str = ""


@dataclass(frozen=True)
class SendResult:
    """What happened to one message: accepted (ok) or an error, retryable or not. `ambiguous`:
    the request may have reached the gateway (no answer came back), so sending it again could
    send it twice — the outbox marks it "unknown" instead of retrying (issue 13 item 4)."""

    ok: bool
    error: str = ""
    retryable: bool = False
    gateway_ref: str = ""
    ambiguous: bool = False


class SendError(Exception):
    def __init__(self, message: str, *, retryable: bool, ambiguous: bool = False):
        super().__init__(message)
        self.retryable = retryable and not ambiguous
        self.ambiguous = ambiguous


class BaseBackend:
    name = "base"

    def send(self, sms: OutgoingSms) -> str:
        """Hand one message to the gateway; return its reference ("" if none). Raise SendError."""
        raise NotImplementedError

    def send_many(self, batch: list[OutgoingSms]) -> list[SendResult]:
        return [self._attempt(sms) for sms in batch]

    def close(self) -> None:
        pass

    def _attempt(self, sms: OutgoingSms) -> SendResult:
        try:
            return SendResult(ok=True, gateway_ref=self.send(sms) or "")
        except SendError as exc:
            return SendResult(ok=False, error=str(exc), retryable=exc.retryable, ambiguous=exc.ambiguous)


class ConsoleBackend(BaseBackend):
    """Development: the message goes to the log (visible in `make run`'s terminal)."""

    name = "console"

    def send(self, sms: OutgoingSms) -> str:
        logger.info("SMS #%s to %s: %s", sms.id, sms.to, sms.text)
        return ""


# The memory backend's mailbox. Tests inspect and clear it; `memory_errors` holds SendErrors
# that the next sends raise, one each, to rehearse gateway failures.
memory_outbox: list[OutgoingSms] = []
memory_errors: list[SendError] = []
_memory_lock = threading.Lock()


def memory_clear() -> None:
    with _memory_lock:
        memory_outbox.clear()
        memory_errors.clear()


class MemoryBackend(BaseBackend):
    name = "memory"

    def send(self, sms: OutgoingSms) -> str:
        with _memory_lock:
            if memory_errors:
                raise memory_errors.pop(0)
            memory_outbox.append(sms)
            return ""


class KannelBackend(BaseBackend):
    """HTTP `sendsms` with keep-alive connections, several in parallel, and a dlr-url per row.

    Kannel answers `0: Accepted for delivery` or `3: Queued for later delivery` (no SMSC connected
    yet; bearerbox keeps it in its store). A connection that could not be made (refused, connect
    time-out) and 5xx are retryable; other 4xx answers (bad credentials, a refused number) are
    not. A request that went out but got no answer (read time-out, connection dropped) is
    ambiguous: Kannel may have taken it, so it is not retried (issue 13 item 4).
    """

    name = "kannel"

    def __init__(self) -> None:
        self._local = threading.local()
        self._sessions: list = []
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    # One requests.Session (one keep-alive connection) per sending thread.
    def _session(self):
        session = getattr(self._local, "session", None)
        if session is None:
            import requests

            session = requests.Session()
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def params(self, sms: OutgoingSms) -> dict[str, str]:
        params = {
            "username": settings.KANNEL_USERNAME,
            "password": settings.KANNEL_PASSWORD,
            "from": sms.sender or settings.SMS_SENDER,
            "to": sms.to,
            "text": sms.text,
            "charset": "UTF-8",
        }
        if not is_gsm_ascii(sms.text):
            params["coding"] = "2"  # UCS-2: without it every Chinese character arrives as "?"
        if sms_parts(sms.text) > 1:
            params["max-messages"] = str(settings.KANNEL_MAX_MESSAGES)
        if settings.KANNEL_DLR_MASK:
            params["dlr-mask"] = str(settings.KANNEL_DLR_MASK)
            params["dlr-url"] = dlr_url(sms.id)
        if settings.KANNEL_SMSC:
            params["smsc"] = settings.KANNEL_SMSC
        return params

    def send(self, sms: OutgoingSms) -> str:
        import requests

        try:
            # (connect, read): the slowest call is about 2 x KANNEL_TIMEOUT (checks.py counts so).
            response = self._session().get(
                settings.KANNEL_SENDSMS_URL,
                params=self.params(sms),
                timeout=(settings.KANNEL_TIMEOUT, settings.KANNEL_TIMEOUT),
            )
        except requests.ConnectTimeout as exc:  # no connection: Kannel never saw the request
            raise SendError(f"Kannel unreachable (connect timed out): {exc}", retryable=True) from exc
        except requests.Timeout as exc:  # the request went out, no answer: it may have been taken
            raise SendError(f"Kannel timed out, outcome unknown: {exc}", retryable=False, ambiguous=True) from exc
        except requests.ConnectionError as exc:
            if _never_connected(exc):  # refused, DNS: safe to send again
                raise SendError(f"Kannel unreachable: {exc}", retryable=True) from exc
            raise SendError(  # dropped after the request went out
                f"Kannel connection lost, outcome unknown: {exc}", retryable=False, ambiguous=True
            ) from exc
        except requests.RequestException as exc:
            raise SendError(f"Kannel request failed: {exc}", retryable=True) from exc
        body = response.text.strip()
        if response.status_code < 300 and body.split(":", 1)[0] in ("0", "3"):
            return ""  # sendsms returns no message id; the dlr-url carries our row id instead
        error = f"Kannel HTTP {response.status_code}: {body[:300]}"
        raise SendError(error, retryable=response.status_code >= 500 or response.status_code < 400)

    def send_many(self, batch: list[OutgoingSms]) -> list[SendResult]:
        workers = max(1, min(settings.KANNEL_CONCURRENCY, len(batch)))
        if workers == 1:
            return super().send_many(batch)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=settings.KANNEL_CONCURRENCY, thread_name_prefix="sms-kannel"
            )
        return list(self._pool.map(self._attempt, batch))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()


def _never_connected(exc: Exception) -> bool:
    """True when the error happened before a connection existed (nothing reached Kannel)."""
    from urllib3.exceptions import NameResolutionError, NewConnectionError

    seen, cause = set(), exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, (NewConnectionError, NameResolutionError, ConnectionRefusedError)):
            return True
        reason = getattr(cause, "reason", None)  # urllib3's MaxRetryError wraps the real error
        if reason is not None and id(reason) not in seen:
            cause = reason
            continue
        args = getattr(cause, "args", ())
        nested = args[0] if args and isinstance(args[0], BaseException) else None
        cause = nested or cause.__cause__ or cause.__context__
    return False


def dlr_url(outbox_id: int) -> str:
    """The portal's delivery-report URL for one row; Kannel fills in %d (report type), %F (the
    SMSC's message id) and %A (the SMSC's answer)."""
    # The secret travels as the URL's user-info, which Kannel sends as HTTP Basic auth: not in the
    # query string, so not in access logs (portal.sms.secret).
    scheme, sep, rest = settings.SMS_DLR_BASE_URL.rstrip("/").partition("://")
    secret = quote(settings.SMS_INBOUND_SECRET, safe="")
    base = f"{scheme}{sep}kannel:{secret}@{rest}" if sep else settings.SMS_DLR_BASE_URL.rstrip("/")
    return f"{base}{reverse('sms-dlr')}?id={outbox_id}&type=%d&ref=%F&reply=%A"


BACKENDS = {"console": ConsoleBackend, "memory": MemoryBackend, "kannel": KannelBackend}


def get_backend(name: str | None = None) -> BaseBackend:
    name = name or settings.SMS_BACKEND
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ValueError(f"Unknown SMS_BACKEND {name!r}; choose one of {', '.join(BACKENDS)}") from None
