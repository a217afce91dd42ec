"""A real Kannel for tests and benchmarks: bearerbox + smsbox + one interactive fakesmsc.

It runs the repository's own deploy/kannel/kannel.conf with free loopback ports and a private
directory, so the sample configuration is what the tests exercise.

    with KannelHarness(workdir=tmp, portal_url="http://127.0.0.1:8123") as k:
        k.sendsms_url                          # for settings.KANNEL_SENDSMS_URL
        k.send_mo("13800000001", "10086", "很差")   # a subscriber texts the portal
        k.wait_received(1)                     # [ReceivedSms(sender, receiver, text, parts)]
        k.stop(); k.start()                    # the gateway down (nothing listening) and back

API (kept small on purpose; the pytest fixture `kannel` in tests/sms/conftest.py wraps it):
- `start(smsc=True)`: the relay (deploy/kannel/kannel_relay.py, unless relay=False), bearerbox,
  then smsbox, then (unless smsc=False) fakesmsc; waits until the boxes are connected. Anything
  that died (e.g. `kill("bearerbox")`, SIGKILL) is started again, through deploy/kannel/kannel-box,
  which removes its stale pid file (issue 13 item 5). `stop()`: all three down (nothing listens any more); what bearerbox had
  queued stays in its store file and goes out after the next start(). `restart()` = stop + start.
- `connect_smsc()`: start fakesmsc (after `start(smsc=False)`).
- `send_mo(from_, to, text)`: one MO line into fakesmsc's FIFO; returns once fakesmsc sent it.
- `received()`: every MT message fakesmsc got so far (across restarts), concatenated parts
  reassembled, UCS-2 decoded. `wait_received(n, timeout)` waits until there are at least n.
- `kill(name, sig=SIGKILL)`: crash one of relay, bearerbox, smsbox, fakesmsc.
- `callback_url` (the relay: get-url and SMS_DLR_BASE_URL), `relay_status()` (spooled, rejected,
  forwarded); `TcpGate` puts a closable address in front of the portal ("portal down").
- `sendsms_url`, `username`, `password`, `admin_url`, `status()` (bearerbox's status.txt),
  `log(name)` (bearerbox, smsbox, bearerbox-access, smsbox-access, fakesmsc); `close()` tears
  everything down.

Pitfalls it handles (see ../shared/KANNEL.md): fakesmsc serves one client and reads one FIFO line
per wake-up, so MO lines go one at a time; `-m 0` would send nothing, so fakesmsc runs without it;
its "Got message" lines are DEBUG log output; concatenated parts carry no coding on the line.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

BEARERBOX = os.environ.get("KANNEL_BEARERBOX", "/usr/sbin/bearerbox")
SMSBOX = os.environ.get("KANNEL_SMSBOX", "/usr/sbin/smsbox")
FAKESMSC = os.environ.get("KANNEL_FAKESMSC", "/usr/lib/kannel/test/fakesmsc")
DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "kannel"
SAMPLE_CONF = DEPLOY / "kannel.conf"
# The production wrappers, run by the harness too: kannel-box removes a stale pid file before it
# execs a box (issue 13 item 5); kannel_relay.py spools smsbox's calls for the portal (item 3).
KANNEL_BOX = DEPLOY / "kannel-box"
KANNEL_RELAY = DEPLOY / "kannel_relay.py"


def kannel_available() -> tuple[bool, str]:
    for path in (BEARERBOX, SMSBOX, FAKESMSC):
        if not os.access(path, os.X_OK):
            return False, f"{path} missing (apt-get install kannel kannel-extras)"
    return True, ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(predicate, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"Kannel harness: timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def render_config(text: str, overrides: dict[tuple[str, str], str]) -> str:
    """Replace `key = value` lines of kannel.conf, addressed as (group, key)."""
    out, group, seen = [], None, set()
    for line in text.splitlines():
        m = re.match(r"^\s*([a-z-]+)\s*=\s*(.*)$", line)
        if m and m.group(1) == "group":
            group = m.group(2).strip()
        elif m and (group, m.group(1)) in overrides:
            line = f"{m.group(1)} = {overrides[(group, m.group(1))]}"
            seen.add((group, m.group(1)))
        out.append(line)
    missing = set(overrides) - seen
    if missing:
        raise ValueError(f"kannel.conf has no {sorted(missing)}")
    return "\n".join(out) + "\n"


@dataclass
class ReceivedSms:
    """One message as the handset (fakesmsc) got it; `parts` > 1 for a concatenated SMS."""

    sender: str
    receiver: str
    text: str
    parts: int = 1
    raw: list[str] = field(default_factory=list, repr=False)


def _urldecode(value: str) -> bytes:
    # Kannel's url-encoding writes a space as "+" and a real "+" as %2B.
    return unquote_to_bytes(value.replace("+", "%20"))


def _decode_payload(data: bytes) -> str:
    """Concatenated parts carry no coding on fakesmsc's line: UCS-2 when it looks like UCS-2.

    The portal sends 7-bit only for plain ASCII, whose bytes are never 0x00 or >= 0x80; UCS-2
    text with any ASCII character, CJK punctuation or most CJK characters has one of them.
    """
    if len(data) % 2 == 0 and any(b == 0 or b >= 0x80 for b in data):
        return data.decode("utf-16-be", errors="replace")
    return data.decode("latin-1")


def parse_fakesmsc_log(text: str) -> list[ReceivedSms]:
    messages: list[ReceivedSms] = []
    pending: dict[tuple, dict] = {}
    for line in text.splitlines():
        m = re.search(r"Got message \d+: <(.*)>\s*$", line)
        if not m:
            continue
        body = m.group(1)
        sender, receiver, kind, rest = (body.split(" ", 3) + [""] * 4)[:4]
        if kind == "text":
            messages.append(ReceivedSms(sender, receiver, rest, raw=[body]))
        elif kind == "ucs-2":
            messages.append(ReceivedSms(sender, receiver, _urldecode(rest).decode("utf-16-be"), raw=[body]))
        elif kind == "data":
            messages.append(ReceivedSms(sender, receiver, _decode_payload(_urldecode(rest)), raw=[body]))
        elif kind == "udh":
            udh_enc, _data_kw, payload_enc = (rest.split(" ", 2) + ["", ""])[:3]
            udh, payload = _urldecode(udh_enc), _urldecode(payload_enc)
            concat = _concat_info(udh)
            if concat is None:
                messages.append(ReceivedSms(sender, receiver, _decode_payload(payload), raw=[body]))
                continue
            ref, total, seq = concat
            key = (sender, receiver, ref, total)
            if key not in pending:
                # Placeholder keeps arrival order; filled in when the last part arrives.
                slot = ReceivedSms(sender, receiver, "", parts=total)
                pending[key] = {"slot": slot, "parts": {}, "index": len(messages)}
                messages.append(slot)
            entry = pending[key]
            entry["parts"][seq] = payload
            entry["slot"].raw.append(body)
            if len(entry["parts"]) == total:
                data = b"".join(entry["parts"][i] for i in sorted(entry["parts"]))
                entry["slot"].text = _decode_payload(data)
                del pending[key]
    incomplete = {id(e["slot"]) for e in pending.values()}
    return [msg for msg in messages if id(msg) not in incomplete]


def _concat_info(udh: bytes) -> tuple[int, int, int] | None:
    """(reference, total, sequence) from a concatenation information element, if any."""
    i = 1
    while i + 1 < len(udh):
        iei, length = udh[i], udh[i + 1]
        value = udh[i + 2 : i + 2 + length]
        if iei == 0x00 and length == 3:
            return value[0], value[1], value[2]
        if iei == 0x08 and length == 4:
            return (value[0] << 8) | value[1], value[2], value[3]
        i += 2 + length
    return None


class KannelHarness:
    def __init__(
        self,
        *,
        workdir: Path,
        portal_url: str,
        secret: str = "dev-inbound-secret",
        username: str = "portal",
        password: str = "portal",
        http_retry_delay: int = 1,
        relay: bool = True,
        relay_threads: int = 4,
    ):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.portal_url = portal_url.rstrip("/")
        self.secret = secret
        self.username, self.password = username, password
        self.admin_password = "harness-admin"
        self.admin_port, self.box_port, self.smsc_port, self.sendsms_port = (free_port() for _ in range(4))
        # smsbox calls the relay, the relay calls the portal (relay=False: smsbox calls it directly).
        self.relay = relay
        self.relay_port = free_port() if relay else None
        self.relay_spool = self.workdir / "relay-spool"
        self.relay_threads = relay_threads
        self.fifo = self.workdir / "mo.fifo"
        self.conf = self.workdir / "kannel.conf"
        self.fakesmsc_log = self.workdir / "fakesmsc.log"
        self._procs: dict[str, subprocess.Popen] = {}
        self._fifo_fd: int | None = None
        self._write_config(http_retry_delay)

    # ---- configuration -------------------------------------------------------------------
    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}"

    @property
    def callback_url(self) -> str:
        """Where Kannel's calls to the portal go: the relay, or the portal itself without one.
        Use it as SMS_DLR_BASE_URL too, so delivery reports survive a portal outage."""
        return f"http://127.0.0.1:{self.relay_port}" if self.relay else self.portal_url

    @property
    def get_url(self) -> str:
        secret = quote(self.secret, safe="")
        scheme, _, rest = self.callback_url.partition("://")  # the secret as HTTP Basic auth (portal.sms.secret)
        return f"{scheme}://kannel:{secret}@{rest}/api/v1/sms/inbound/?from=%p&to=%P&text=%a&id=%I"

    def _write_config(self, http_retry_delay: int) -> None:
        w = self.workdir
        overrides = {
            ("core", "admin-port"): str(self.admin_port),
            ("core", "admin-password"): self.admin_password,
            ("core", "status-password"): self.admin_password,
            ("core", "smsbox-port"): str(self.box_port),
            ("core", "log-file"): f'"{w / "bearerbox.log"}"',
            ("core", "access-log"): f'"{w / "bearerbox-access.log"}"',
            ("core", "store-location"): f'"{w / "bearerbox.store"}"',
            ("smsc", "port"): str(self.smsc_port),
            ("smsbox", "bearerbox-port"): str(self.box_port),
            ("smsbox", "sendsms-port"): str(self.sendsms_port),
            ("smsbox", "http-queue-delay"): str(http_retry_delay),
            ("smsbox", "log-file"): f'"{w / "smsbox.log"}"',
            ("smsbox", "access-log"): f'"{w / "smsbox-access.log"}"',
            ("sendsms-user", "username"): self.username,
            ("sendsms-user", "password"): self.password,
            ("sms-service", "get-url"): f'"{self.get_url}"',
        }
        self.conf.write_text(render_config(SAMPLE_CONF.read_text(), overrides))

    # ---- processes -----------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str], *, stdin=None, log: Path | None = None) -> None:
        out = open(log or self.workdir / f"{name}.out", "ab")
        try:
            self._procs[name] = subprocess.Popen(
                argv,
                cwd=self.workdir,
                stdin=stdin if stdin is not None else subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            out.close()

    def _alive(self, name: str) -> bool:
        proc = self._procs.get(name)
        return proc is not None and proc.poll() is None

    def _check_alive(self, name: str) -> None:
        if name in self._procs and not self._alive(name):
            log = self.workdir / f"{name}.out"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{name} exited with {self._procs[name].returncode}:\n{tail}")

    def start(self, *, smsc: bool = True) -> KannelHarness:
        """Start whatever is not running (so it also brings back a box that crashed): the relay,
        bearerbox, smsbox, fakesmsc. Boxes start through deploy/kannel/kannel-box, which removes
        the pid file a killed box left behind. (smsbox exits by itself when bearerbox dies.)"""
        for name in [n for n in self._procs if not self._alive(n)]:
            self._procs.pop(name)  # crashed or exited: started again below
        if self.relay and not self._alive("relay"):
            self.start_relay()
        if not self._alive("bearerbox"):
            self._spawn_box("bearerbox", BEARERBOX)
            wait_until(
                lambda: self._check_alive("bearerbox") or port_open(self.box_port),
                15,
                "bearerbox's smsbox port",
            )
        if not self._alive("smsbox"):
            self._spawn_box("smsbox", SMSBOX)
            wait_until(
                lambda: self._check_alive("smsbox") or port_open(self.sendsms_port),
                15,
                "smsbox's sendsms port",
            )
        # Also after a bearerbox restart: the running smsbox reconnects on its own.
        wait_until(
            lambda: self._check_alive("smsbox") or "smsbox:" in self.status().split("SMSC connections:")[0],
            30,
            "smsbox connected to bearerbox",
        )
        if smsc:
            self.connect_smsc()
        return self

    def _spawn_box(self, name: str, binary: str) -> None:
        pid_file = self.workdir / f"{name}.pid"
        self._spawn(name, ["/bin/sh", str(KANNEL_BOX), binary, str(pid_file), "-v", "1", str(self.conf)])

    def start_relay(self) -> None:
        """The store-and-forward relay (deploy/kannel/kannel_relay.py) between smsbox and the portal."""
        import sys

        self._spawn(
            "relay",
            [
                sys.executable,
                str(KANNEL_RELAY),
                "--listen",
                f"127.0.0.1:{self.relay_port}",
                "--forward",
                self.portal_url,
                "--spool",
                str(self.relay_spool),
                "--max-backoff",
                "1",
                "--threads",
                str(self.relay_threads),
            ],
        )
        wait_until(lambda: self._check_alive("relay") or port_open(self.relay_port), 15, "the relay's port")

    def relay_status(self) -> dict:
        """The relay's /relay/status: spooled (waiting for the portal), rejected, forwarded."""
        import json

        with urllib.request.urlopen(f"http://127.0.0.1:{self.relay_port}/relay/status", timeout=5) as r:
            return json.loads(r.read())

    def kill(self, name: str, sig: int = signal.SIGKILL) -> int:
        """Signal one process (default SIGKILL: a crash, pid file left behind) and wait for it;
        returns its pid. start() brings it back."""
        proc = self._procs.pop(name)
        if proc.poll() is None:
            proc.send_signal(sig)
        proc.wait(timeout=30)
        return proc.pid

    def connect_smsc(self) -> None:
        """Start fakesmsc (reading the MO FIFO) and wait until bearerbox reports the SMSC online."""
        if self._alive("fakesmsc"):
            return
        if not self.fifo.exists():
            os.mkfifo(self.fifo)
        if self._fifo_fd is None:
            # Held open read-write for the harness's lifetime: fakesmsc never sees end of input,
            # and lines written while no fakesmsc runs wait in the pipe for the next one.
            self._fifo_fd = os.open(self.fifo, os.O_RDWR)
        with open(self.fifo, "rb") as stdin:
            self._spawn(
                "fakesmsc",
                [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.smsc_port), "-i", "0"],
                stdin=stdin,
                log=self.fakesmsc_log,
            )
        wait_until(lambda: self._check_alive("fakesmsc") or "(online" in self.status(), 15, "fakesmsc online")

    def status(self) -> str:
        try:
            with urllib.request.urlopen(
                f"{self.admin_url}/status.txt?password={self.admin_password}", timeout=2
            ) as r:
                return r.read().decode(errors="replace")
        except (OSError, urllib.error.URLError):
            return ""

    def stop(self, timeout: float = 15) -> None:
        """Stop the gateway: SIGTERM to fakesmsc, smsbox, then bearerbox, each waited for.

        SIGTERM is bearerbox's clean shutdown (as fast as the admin /shutdown, ~1 s instead of
        ~3 s): what it had queued stays in the store file and is sent after start().
        """
        for name in ("fakesmsc", "smsbox", "bearerbox", "relay"):
            proc = self._procs.get(name)
            if proc is None:
                continue
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()
        wait_until(
            lambda: not any(
                port_open(p) for p in (self.box_port, self.sendsms_port, self.smsc_port, self.relay_port) if p
            ),
            10,
            "Kannel's ports to close",
        )

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        try:
            self.stop()
        finally:
            if self._fifo_fd is not None:
                os.close(self._fifo_fd)
                self._fifo_fd = None

    def __enter__(self) -> KannelHarness:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- the handset side ----------------------------------------------------------------
    def _sent_count(self) -> int:
        if not self.fakesmsc_log.exists():
            return 0
        return len(re.findall(r"fakesmsc: sent message \d+", self.fakesmsc_log.read_text(errors="replace")))

    def send_mo(self, from_: str, to: str, text: str, timeout: float = 10) -> None:
        """A subscriber's SMS: writes `from to text ...` into the FIFO and waits until fakesmsc
        has passed it to bearerbox. (fakesmsc takes one line per wake-up: lines written in one
        burst would wait for the next input, so they go one at a time.)"""
        if "\n" in text or " " in from_ or " " in to:
            raise ValueError("one line per message; no spaces in numbers")
        line = f"{from_} {to} text {text}\n".encode()
        if len(line) > 255:
            raise ValueError("fakesmsc reads at most 256 bytes per line")
        if not self._alive("fakesmsc"):
            raise RuntimeError("fakesmsc is not running (start() or connect_smsc() first)")
        before = self._sent_count()
        os.write(self._fifo_fd, line)
        wait_until(lambda: self._sent_count() > before, timeout, "fakesmsc to send the MO line")

    def received(self) -> list[ReceivedSms]:
        if not self.fakesmsc_log.exists():
            return []
        return parse_fakesmsc_log(self.fakesmsc_log.read_text(encoding="utf-8", errors="replace"))

    def wait_received(self, count: int, timeout: float = 15) -> list[ReceivedSms]:
        return wait_until(
            lambda: (lambda got: got if len(got) >= count else None)(self.received()),
            timeout,
            f"{count} message(s) at fakesmsc",
        )

    def log(self, name: str = "bearerbox") -> str:
        """A log: bearerbox, smsbox, bearerbox-access (SMS in and out), smsbox-access (get-url
        calls with the portal's answers) or fakesmsc (its console output)."""
        path = self.fakesmsc_log if name == "fakesmsc" else self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


class TcpGate:
    """A TCP forwarder in front of a server: `close()` makes the address refuse connections
    (the server is "down" for whoever calls it), `open()` brings it back.

        gate = TcpGate("127.0.0.1", 8123)    # forwards 127.0.0.1:gate.port -> 127.0.0.1:8123
        gate.url; gate.close(); gate.open(); gate.shutdown()
    """

    def __init__(self, host: str, port: int):
        import threading

        self.target = (host, port)
        self.port = free_port()
        self._threading = threading
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.open()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def is_open(self) -> bool:
        return self._listener is not None

    def open(self) -> None:
        if self._listener is not None:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(512)
        self._listener = listener
        self._threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._conns.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                self._threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
                with self._lock:
                    self._conns.discard(s)

    def close(self) -> None:
        """Stop listening and cut every open connection: callers now get "connection refused"."""
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown() wakes the accept() thread on Linux; close() alone may leave it blocked.
            try:
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        with self._lock:
            conns = list(self._conns)
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        wait_until(lambda: not port_open(self.port), 5, "the gate to close")

    shutdown = close
