"""Shared plumbing for the benchmark modules in bench/ (not tests).

Each module (portfolio.py, tickets.py, visits.py) can run on its own against an already seeded
benchmark database, or be started by bench/run.py, which prepares the database first and collects
the rows every module writes to `--json`.

A result row is a dict: bench, case, value, unit, queries (or None), target (text or ""), ok
(True/False/None when there is no target) and note.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gcportal_bench"
PG_SCHEMES = ("postgres", "postgresql", "pgsql", "psql")


def database_url() -> str:
    """DATABASE_URL, defaulted to the benchmark database; refuses anything but PostgreSQL and the
    test runner's databases (test_*), which other people's test runs own."""
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    parts = urlsplit(url)
    if parts.scheme not in PG_SCHEMES:
        sys.exit(f"bench: DATABASE_URL must point at PostgreSQL (got {parts.scheme or url!r}); "
                 f"unset it to use {DEFAULT_DATABASE_URL}")
    name = parts.path.lstrip("/")
    if not name or name.startswith("test_"):
        sys.exit(f"bench: refusing database {name!r}: test_* databases belong to the test runner")
    return url


def setup_django(*, sms_backend: str | None = None) -> None:
    """Point Django at the benchmark database and set it up (call before importing models)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["DATABASE_URL"] = database_url()
    if sms_backend:
        os.environ["SMS_BACKEND"] = sms_backend
    import warnings

    import django

    # WhiteNoise warns once per process that collectstatic has not run; irrelevant to timings.
    warnings.filterwarnings("ignore", message="No directory at")

    django.setup()
    # Nothing here may reach a Celery broker: the benches call the outbox flush themselves.
    from portal.sms import services

    services._enqueue_flush = lambda: None


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--scale", type=int, default=500, help="the seed_demo scale the database was seeded with")
    p.add_argument("--quick", action="store_true", help="smoke run: fewer rows and runs")
    p.add_argument("--runs", type=int, default=None, help="timed runs per page (default 20, quick 5)")
    p.add_argument("--json", type=Path, default=None, help="write the result rows to this file")
    return p


def row(bench: str, case: str, value: float | None, unit: str, *, queries: int | None = None, target: str = "",
        ok: bool | None = None, note: str = "") -> dict:
    return {"bench": bench, "case": case, "value": value, "unit": unit, "queries": queries, "target": target,
            "ok": ok, "note": note}


def emit(rows: list[dict], path: Path | None, *, echo: bool = True) -> None:
    if echo:
        for r in rows:
            print("  " + format_row(r), flush=True)
    if path is not None:
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1))


def format_value(r: dict) -> str:
    v = r["value"]
    if v is None:
        return "—"
    if r["unit"] == "x":
        return f"{v:.1f}x"
    if isinstance(v, float):
        return f"{v:,.1f} {r['unit']}" if v < 1000 else f"{v:,.0f} {r['unit']}"
    return f"{v:,} {r['unit']}"


def format_row(r: dict) -> str:
    q = f"{r['queries']} q" if r.get("queries") is not None else ""
    verdict = {True: "ok", False: "MISSED", None: ""}[r.get("ok")]
    return f"{r['case']:<58} {format_value(r):>16} {q:>6} {r['target']:<20} {verdict:<6} {r['note']}"


class PageTimer:
    """Median server time of a page through Django's test Client, and its SQL query count.

    The timed runs go without query capture (capturing adds overhead of its own); one more run
    under CaptureQueriesContext counts the queries.
    """

    def __init__(self, *, runs: int = 20, warmup: int = 3):
        from django.test import Client

        self.runs, self.warmup = runs, warmup
        self.clients: dict[str, Client] = {}

    def client(self, username: str):
        from django.test import Client

        from accounts.models import User

        if username not in self.clients:
            c = Client()
            c.force_login(User.objects.get(username=username))
            self.clients[username] = c
        return self.clients[username]

    def measure(self, username: str, url: str) -> dict:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        c = self.client(username)
        for _ in range(self.warmup):
            response = c.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{username} GET {url}: HTTP {response.status_code}")
        times = []
        for _ in range(self.runs):
            t0 = time.perf_counter()
            c.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            c.get(url)
        slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]), default=None)
        return {"median_ms": statistics.median(times), "p90_ms": sorted(times)[int(len(times) * 0.9) - 1],
                "queries": len(ctx.captured_queries), "slowest_sql": slowest["sql"] if slowest else "",
                "slowest_s": float(slowest["time"]) if slowest else 0.0}


def median_time(fn, *, runs: int, warmup: int = 2) -> float:
    """Median seconds of fn() over `runs` calls after `warmup` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


GROUPS_PER_SCALE = 200  # groupclients.demo.GROUPS_PER_SCALE (not imported: the runner does not set up Django)
