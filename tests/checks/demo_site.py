"""The portal as its users meet it: a database seeded by `seed_demo`, served by gunicorn over HTTP.

The checks in this folder (crawl, API fuzzing, generated client, write matrix, jobs twice) run
against this, not against factories inside the test process: a fresh database of its own
(PostgreSQL when DATABASE_URL names one, else a SQLite file), `migrate`, `seed_demo`,
`collectstatic`, then gunicorn on a free port. Nothing here is shared with the pytest-django test
database.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo12345")
DEMO_USERS = ("admin", "am1", "am2", "mm1", "agent1", "leader1", "manager1", "quality1", "analyst1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database_url(name: str, tmp: Path) -> str:
    """A new, empty database named after `name`: on the PostgreSQL server of DATABASE_URL when it is
    one (dropped and created again), else a SQLite file under `tmp`."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://", "pgsql://")):
        import psycopg

        parts = urlsplit(base)
        db = f"{parts.path.lstrip('/') or 'gcportal'}_{name}"
        admin_url = urlunsplit((("postgresql",) + tuple(parts[1:2]) + ("/postgres",) + tuple(parts[3:])))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [db],
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
            conn.execute(f'CREATE DATABASE "{db}"')
        return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def site_env(database_url: str, tmp: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        CELERY_TASK_ALWAYS_EAGER="1",
        SMS_BACKEND="memory",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        DEMO_PASSWORD=DEMO_PASSWORD,
        LOG_LEVEL="WARNING",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 1800) -> str:
    proc = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc.stdout


def seed(name: str, tmp: Path, scale: int = 1, **extra: str) -> dict[str, str]:
    """A fresh database with migrations and `seed_demo --scale N`; returns the environment that
    points a `manage.py` or a server at it."""
    env = site_env(fresh_database_url(name, tmp), tmp, **extra)
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "--scale", str(scale))
    print(f"\n[demo-site] {name}: migrated and seeded at scale {scale} in {time.monotonic() - started:.0f} s")
    return env


@dataclass
class DemoSite:
    """A running portal on seeded demo data."""

    url: str
    env: dict[str, str]
    proc: subprocess.Popen | None = None
    _tokens: dict[str, str] = field(default_factory=dict)

    def manage(self, *args: str, timeout: float = 1800) -> str:
        return manage(self.env, *args, timeout=timeout)

    def login(self, username: str, password: str = DEMO_PASSWORD) -> requests.Session:
        """A browser-like session logged in through the login form (CSRF and all)."""
        s = requests.Session()
        s.headers["Accept-Language"] = "zh-hans"
        r = s.get(f"{self.url}/accounts/login/", timeout=30)
        r.raise_for_status()
        token = s.cookies.get("csrftoken")
        r = s.post(
            f"{self.url}/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.url}/accounts/login/"},
            timeout=30,
            allow_redirects=True,
        )
        if "sessionid" not in s.cookies:
            raise AssertionError(f"login as {username} failed: {r.status_code} {r.url}")
        return s

    def token(self, username: str, password: str = DEMO_PASSWORD) -> str:
        """An API token for a demo user (cached per site)."""
        if username not in self._tokens:
            r = requests.post(
                f"{self.url}/api/v1/auth/token/", json={"username": username, "password": password}, timeout=30
            )
            assert r.status_code == 200, (username, r.status_code, r.text[:500])
            self._tokens[username] = r.json()["token"]
        return self._tokens[username]

    def api(self, username: str) -> requests.Session:
        s = requests.Session()
        s.headers["Authorization"] = f"Token {self.token(username)}"
        s.headers["Accept"] = "application/json"
        return s


def start(env: dict[str, str], tmp: Path, workers: int = 2) -> DemoSite:
    """collectstatic, then gunicorn (the production server) on a free port; waits until it answers."""
    manage(env, "collectstatic", "--noinput", "-v0")
    port = free_port()
    log = open(tmp / f"gunicorn-{port}.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "portal.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "4",
            "--timeout", "120", "--access-logfile", "-",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {(tmp / f'gunicorn-{port}.log').read_text()[-3000:]}")
        try:
            requests.get(f"{url}/accounts/login/", timeout=10)
            break
        except (requests.ConnectionError, requests.Timeout):  # a loaded machine: the first answer may be slow
            time.sleep(0.3)
    site = DemoSite(url=url, env=env, proc=proc)
    site.log_path = tmp / f"gunicorn-{port}.log"
    return site


def stop(site: DemoSite) -> None:
    if site.proc and site.proc.poll() is None:
        site.proc.terminate()
        try:
            site.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            site.proc.kill()
