#!/usr/bin/env python3
"""A tiny store-and-forward relay between Kannel's smsbox and the portal (issue 13 item 3).

Kannel 1.4.5's smsbox acknowledges an incoming SMS to bearerbox *before* it fetches the get-url,
and keeps the HTTP retries (`http-request-retry` x `http-queue-delay`) in memory only: a reply
that arrives while the portal is down is lost when smsbox gives up or is restarted (tested in
tests/sms/test_kannel_faults.py). So smsbox does not call the portal directly. It calls this
relay, which

1. writes the request (method, path, query string, body, auth headers) to a spool directory
   and fsyncs it, then answers 200 with an empty body (Kannel would text a body back);
2. forwards every spooled request to the portal, in parallel, until the portal answers 2xx
   (then deletes the file) or a permanent 4xx (then moves it to `rejected/`, never silently
   dropped); while the portal is down it retries with back-off, forever.

An incoming SMS is spooled under Kannel's message id (`id=%I`): smsbox retrying the same SMS
rewrites one file, and the portal's inbound endpoint is idempotent on that id, so a request
forwarded twice (relay killed between the portal's answer and the delete) stores one message.
Delivery reports (dlr-url) go through the relay too; they are idempotent in the portal.

Standard library only, so it runs on the Kannel host with the system python3:

    python3 deploy/kannel/kannel_relay.py --listen 127.0.0.1:13080 \
        --forward http://127.0.0.1:8000 --spool var/kannel/relay-spool

`GET /relay/status` answers JSON: spooled, rejected, forwarded, last_error.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import logging
import os
import re
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger("kannel_relay")

# Every header is kept (it may carry the portal's secret) except the hop-by-hop ones.
HOP_HEADERS = {"host", "connection", "keep-alive", "content-length", "transfer-encoding", "te", "upgrade"}
# 4xx answers that mean "not now", not "never".
RETRY_STATUSES = {408, 409, 423, 425, 429}
SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


class Spool:
    """One JSON file per request in `incoming/`; `rejected/` keeps what the portal refused."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.incoming = self.root / "incoming"
        self.rejected = self.root / "rejected"
        self.tmp = self.root / "tmp"
        for d in (self.incoming, self.rejected, self.tmp):
            d.mkdir(parents=True, exist_ok=True)
        self.wakeup = threading.Event()

    @staticmethod
    def _fsync_dir(path: Path) -> None:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def name_for(self, path: str, query: str, body: bytes) -> str:
        """Kannel's message id when the request has one (`id=%I` of an incoming SMS): a retried
        delivery of the same SMS lands in the same file. Anything else gets a fresh name."""
        params = parse_qs(query)
        if "/dlr" not in path:
            msg_id = (params.get("id") or [""])[0]
            if not msg_id and body:
                msg_id = (parse_qs(body.decode("latin-1")).get("id") or [""])[0]
            if msg_id:
                key = msg_id if SAFE_ID.match(msg_id) else hashlib.sha256(msg_id.encode()).hexdigest()
                return f"mo-{key}.json"
        return f"{time.time_ns()}-{uuid.uuid4().hex}.json"

    def put(self, record: dict) -> str:
        name = self.name_for(record["path"], record["query"], base64.b64decode(record["body"]))
        tmp = self.tmp / f"{name}.{uuid.uuid4().hex}"
        with open(tmp, "wb") as f:
            f.write(json.dumps(record).encode())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.incoming / name)
        self._fsync_dir(self.incoming)
        self.wakeup.set()
        return name

    def pending(self) -> list[Path]:
        files = []
        for p in self.incoming.glob("*.json"):
            try:
                files.append((p.stat().st_mtime_ns, p))
            except FileNotFoundError:
                continue
        return [p for _mtime, p in sorted(files)]

    def reject(self, path: Path) -> None:
        os.replace(path, self.rejected / path.name)
        self._fsync_dir(self.rejected)

    def counts(self) -> dict:
        return {
            "spooled": sum(1 for _ in self.incoming.glob("*.json")),
            "rejected": sum(1 for _ in self.rejected.glob("*.json")),
        }


class PortalDown(Exception):
    pass


class Forwarder(threading.Thread):
    def __init__(self, spool: Spool, forward: str, *, threads: int, timeout: float, max_backoff: float):
        super().__init__(name="forwarder", daemon=True)
        self.spool, self.forward = spool, forward.rstrip("/")
        self.timeout, self.max_backoff = timeout, max_backoff
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="forward")
        self.forwarded = 0
        self.last_error = ""
        self._lock = threading.Lock()
        self.stopping = threading.Event()

    def send(self, path: Path) -> str:
        """Forward one spooled request: "done", "rejected", "retry" or raise PortalDown."""
        try:
            record = json.loads(path.read_bytes())
        except FileNotFoundError:
            return "done"  # a concurrent round (or a duplicate) already took it
        except ValueError:
            self.spool.reject(path)
            log.error("unreadable spool file %s moved to rejected/", path.name)
            return "rejected"
        url = self.forward + record["path"] + (("?" + record["query"]) if record["query"] else "")
        body = base64.b64decode(record["body"]) if record["method"] == "POST" else None
        request = urllib.request.Request(url, data=body, method=record["method"], headers=record["headers"])
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (OSError, urllib.error.URLError) as exc:  # refused, reset, timed out: portal down
            raise PortalDown(str(exc)) from exc
        if 200 <= status < 300:
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            with self._lock:
                self.forwarded += 1
            return "done"
        if 400 <= status < 500 and status not in RETRY_STATUSES:
            self.spool.reject(path)
            log.error("portal answered %s to %s: kept in rejected/%s", status, record["path"], path.name)
            return "rejected"
        self.last_error = f"portal answered {status}"
        return "retry"

    def run_round(self) -> bool:
        """Forward what is spooled now; False when the portal is down or something must wait."""
        files = self.spool.pending()
        if not files:
            return True
        outcomes = []
        for future in [self.pool.submit(self.send, p) for p in files]:
            try:
                outcomes.append(future.result())
            except PortalDown as exc:
                self.last_error = f"portal unreachable: {exc}"
                outcomes.append("down")
        ok = all(o in ("done", "rejected") for o in outcomes)
        if ok:
            self.last_error = ""
        return ok

    def run(self) -> None:
        backoff = 0.2
        while not self.stopping.is_set():
            self.spool.wakeup.clear()
            if self.run_round():
                backoff = 0.2
                self.spool.wakeup.wait(1.0)
            else:
                log.warning("%s; %d spooled, next try in %.1f s", self.last_error, len(self.spool.pending()), backoff)
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)


def make_handler(spool: Spool, forwarder: Forwarder, prefix: str):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, body: bytes = b"", ctype: str = "text/plain; charset=utf-8"):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _relay(self, method: str) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/relay/status":
                info = {**spool.counts(), "forwarded": forwarder.forwarded, "last_error": forwarder.last_error}
                return self._answer(200, json.dumps(info).encode(), "application/json")
            if not parts.path.startswith(prefix):
                return self._answer(404, b"not relayed")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
            record = {
                "method": method,
                "path": parts.path,
                "query": parts.query,
                "headers": headers,
                "body": base64.b64encode(body).decode(),
                "received_at": time.time(),
            }
            try:
                spool.put(record)
            except OSError as exc:  # disk full, read-only: smsbox must retry, so not 200
                log.error("cannot spool %s: %s", parts.path, exc)
                return self._answer(503, b"")
            # Empty body: Kannel would send a non-empty answer back to the subscriber as an SMS.
            self._answer(200)

        def do_GET(self):  # noqa: N802
            self._relay("GET")

        def do_POST(self):  # noqa: N802
            self._relay("POST")

        def log_message(self, fmt, *args):
            log.debug("%s " + fmt, self.address_string(), *args)

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # Kannel delivers bursts: a bare http.server's backlog of 5 lost 233 of 1000 MO (KANNEL.md).
    request_queue_size = 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:13080", help="host:port smsbox calls")
    parser.add_argument("--forward", default="http://127.0.0.1:8000", help="the portal's base URL")
    parser.add_argument("--spool", default="var/kannel/relay-spool", help="spool directory")
    parser.add_argument("--prefix", default="/api/v1/sms/", help="only paths under it are relayed")
    parser.add_argument("--threads", type=int, default=4, help="parallel forwards")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds per forward")
    parser.add_argument("--max-backoff", type=float, default=10.0, help="longest wait between tries")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s kannel_relay %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    spool = Spool(Path(args.spool))
    forwarder = Forwarder(
        spool, args.forward, threads=args.threads, timeout=args.timeout, max_backoff=args.max_backoff
    )
    host, _, port = args.listen.rpartition(":")
    server = Server((host or "127.0.0.1", int(port)), make_handler(spool, forwarder, args.prefix))

    def stop(signum, _frame):
        log.info("signal %s: stopping (spooled requests stay on disk)", signum)
        forwarder.stopping.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    forwarder.start()
    log.info(
        "listening on %s, forwarding to %s, spool %s (%d waiting)",
        args.listen, args.forward, args.spool, spool.counts()["spooled"],
    )
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
