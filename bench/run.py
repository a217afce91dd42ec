"""Benchmark runner (issues 3, 4 and 5): `make bench BENCH_ARGS="…"`, i.e.

    .venv/bin/python bench/run.py [--scale 500] [--quick] [--only portfolio,tickets,visits,sms,credit_retention,kpi] [--reseed]

1. DATABASE_URL must be PostgreSQL; unset, it is postgres://postgres@127.0.0.1:5432/gcportal_bench,
   created when missing. test_* databases are refused (they belong to the test runner).
2. migrate, then `seed_demo --scale N` only when the database has fewer groups than N asks for
   (200 groups per step: the default 500 = 100 000 groups, 500 000 contacts, 1 000 000 members,
   ~1 000 000 visits; --quick = scale 10). A second run reuses the data. The visit and ticket
   seeders only fill empty tables, so a database seeded at a smaller scale is dropped and seeded
   again from scratch (also with --reseed), then VACUUM FULL ANALYZE.
3. Runs each benchmark module in its own process (portfolio.py, tickets.py, visits.py, and the
   Kannel one, sms_outbox.py, which makes and drops its own throw-away database test_<name> on the
   same server), prints one table and writes bench/results.json (figures + date; --quick writes
   bench/results-quick.json instead). `--only tickets` re-runs one module and keeps the others'
   figures in results.json.

The machine's load average is printed and stored with the figures: on a shared 2-CPU machine the
page timings move by a factor of two with it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import GROUPS_PER_SCALE, ROOT, database_url, format_row, row  # noqa: E402

BENCH = ROOT / "bench"
MODULES = ["portfolio", "tickets", "visits", "sms", "credit_retention", "kpi", "replies"]


def main() -> None:
    p = argparse.ArgumentParser(description="Run the benchmark suite in bench/.")
    p.add_argument("--scale", type=int, default=500, help="seed_demo scale (default 500 = 100 000 groups)")
    p.add_argument("--quick", action="store_true", help="smoke run: scale 10, fewer rows and runs")
    p.add_argument("--only", default=",".join(MODULES), help=f"comma-separated subset of {','.join(MODULES)}")
    p.add_argument("--runs", type=int, default=None, help="timed runs per page (default 20; quick 5)")
    p.add_argument("--reseed", action="store_true", help="drop the benchmark database and seed it again")
    p.add_argument("--setup-only", action="store_true", help="prepare and seed the database, run nothing")
    args = p.parse_args()
    scale = 10 if args.quick else args.scale
    only = [m.strip() for m in args.only.split(",") if m.strip()]
    unknown = set(only) - set(MODULES)
    if unknown:
        p.error(f"unknown module(s): {', '.join(sorted(unknown))}")

    url = database_url()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings",
           "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    load_at_start = list(os.getloadavg())
    print(f"bench: database {redact(url)}, scale {scale} ({scale * GROUPS_PER_SCALE:,} groups)")
    setup = prepare_database(url, scale, env, reseed=args.reseed)
    if args.setup_only:
        return

    rows: list[dict] = []
    for name in only:
        print(f"\n== {name} " + "=" * 60, flush=True)
        t0 = time.monotonic()
        if name == "sms":
            rows += run_sms_outbox(env, quick=args.quick)
        else:
            rows += run_module(name, env, scale=scale, quick=args.quick, runs=args.runs)
        print(f"   ({name}: {time.monotonic() - t0:.0f} s)", flush=True)

    total = time.monotonic() - started
    print_table(rows, scale, total, setup.get("groups"))
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    results = {
        "date": now, "scale": scale, "database": redact(url), "setup": setup, "total_seconds": round(total, 1),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_start": load_at_start, "load_average_at_end": list(os.getloadavg())},
        "modules": {name: now for name in only},
        "rows": rows,
    }
    # A smoke run must not overwrite the province-scale figures.
    write_results(results, only, BENCH / ("results-quick.json" if args.quick else "results.json"))


def write_results(results: dict, only: list[str], path: Path) -> None:
    """Write the figures. A run of some modules (--only) keeps the other modules' latest figures
    from the previous file when it was made at the same scale; each module carries its own date."""
    try:
        previous = json.loads(path.read_text())
    except (OSError, ValueError):
        previous = None
    if previous and previous.get("scale") == results["scale"]:
        kept = [r for r in previous.get("rows", []) if r.get("bench") not in only]
        results["rows"] = kept + results["rows"]
        for name, date in (previous.get("modules") or {}).items():
            results["modules"].setdefault(name, date)
        order = {name: i for i, name in enumerate(MODULES)}
        results["rows"].sort(key=lambda r: order.get(r.get("bench"), len(order)))
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    print(f"\nbench: results written to {path}")


# ---- the database -------------------------------------------------------------------------------
def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _connect(url: str, dbname: str | None = None):
    import psycopg

    parts = urlsplit(url)
    if dbname is not None:
        parts = parts._replace(path="/" + dbname)
    return psycopg.connect(urlunsplit(parts._replace(scheme="postgresql")), autocommit=True)


def _db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def ensure_database(url: str) -> bool:
    """Create the benchmark database when it is missing; True when it was created."""
    from psycopg import sql

    name = _db_name(url)
    with _connect(url, "postgres") as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"bench: created database {name}")
    return True


def drop_database(url: str) -> None:
    from psycopg import sql

    name = _db_name(url)
    with _connect(url, "postgres") as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    print(f"bench: dropped database {name}")


def count_groups(url: str) -> int:
    with _connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('groupclients_groupcustomer')").fetchone()[0]
        if not exists:
            return 0
        return conn.execute("SELECT count(*) FROM groupclients_groupcustomer").fetchone()[0]


def manage(env: dict, *argv: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *argv], cwd=ROOT, env=env, check=True)


def prepare_database(url: str, scale: int, env: dict, *, reseed: bool) -> dict:
    info: dict = {}
    if reseed:
        drop_database(url)
    ensure_database(url)
    t0 = time.monotonic()
    manage(env, "migrate", "--noinput", "-v", "0")
    info["migrate_seconds"] = round(time.monotonic() - t0, 1)
    target = scale * GROUPS_PER_SCALE
    groups = count_groups(url)
    info["groups"] = groups
    if groups >= target:
        print(f"bench: {groups:,} groups present (≥ {target:,}): reusing the data")
        info["seeded"] = False
        return info
    if groups:
        # seed_demo would top up groups, contacts and members, but the visit and ticket seeders only
        # fill empty tables: start again so every table has the same scale.
        print(f"bench: {groups:,} groups present, {target:,} wanted: seeding again from an empty database")
        drop_database(url)
        ensure_database(url)
        manage(env, "migrate", "--noinput", "-v", "0")
    print(f"bench: seed_demo --scale {scale} (at scale 500 this takes several minutes)", flush=True)
    t0 = time.monotonic()
    manage(env, "seed_demo", "--scale", str(scale))
    info["seed_seconds"] = round(time.monotonic() - t0, 1)
    # The seeders update most rows after inserting them (data-quality flags, last-visit dates), which
    # leaves groups and contacts at 2–3× their size in dead tuples; plain VACUUM would keep the files
    # that big. Compact them so the figures describe the data, not the seeder's write pattern.
    t0 = time.monotonic()
    with _connect(url) as conn:
        # Table by table: a database-wide VACUUM FULL also rewrites the shared catalogs (pg_authid,
        # pg_database) and so blocks every new connection to the server while another session runs.
        tables = [r[0] for r in conn.execute(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(relname) FROM pg_stat_user_tables").fetchall()]
        for table in tables:
            conn.execute(f"VACUUM (FULL, ANALYZE) {table}")
    info["vacuum_seconds"] = round(time.monotonic() - t0, 1)
    info["seeded"] = True
    info["groups"] = count_groups(url)
    print(f"bench: seeded in {info['seed_seconds']:.0f} s, VACUUM FULL ANALYZE {info['vacuum_seconds']:.0f} s")
    return info


# ---- the modules --------------------------------------------------------------------------------
def run_module(name: str, env: dict, *, scale: int, quick: bool, runs: int | None) -> list[dict]:
    with tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".json", delete=False) as fh:
        out = Path(fh.name)
    argv = [sys.executable, str(BENCH / f"{name}.py"), "--scale", str(scale), "--json", str(out)]
    if quick:
        argv.append("--quick")
    if runs:
        argv += ["--runs", str(runs)]
    try:
        proc = subprocess.run(argv, cwd=ROOT, env=env)
        if proc.returncode != 0:
            return [row(name, f"{name}.py failed (exit {proc.returncode})", None, "", ok=False,
                        note="see the output above")]
        return json.loads(out.read_text() or "[]")
    finally:
        out.unlink(missing_ok=True)


SMS_PATTERNS = {
    # (case, unit, regex on sms_outbox.py's output)
    "flush": ("outbox flush → Kannel accepted (sendsms)", "msg/s",
              r"flushed in ([\d.]+) s = (\d+) messages/s"),
    "end_to_end": ("outbox → fakesmsc end to end", "msg/s", r"all at fakesmsc after ([\d.]+) s \((\d+)/s"),
    "dlr": ("delivery reports back (DLR 1) for all", "s", r"\d+/\d+ delivered by DLR after ([\d.]+) s"),
    "naive": ("naive: one transaction + new HTTP connection per message", "msg/s",
              r"naive:.*= (\d+) messages/s"),
    "ratio": ("ratio outbox flush / naive", "x", r"ratio:\s+outbox flush is ([\d.]+)x"),
}


def run_sms_outbox(env: dict, *, quick: bool) -> list[dict]:
    """bench/sms_outbox.py (another helper's, issue 4 through a real Kannel), parsed from its output.
    It makes its own throw-away database test_<name> on DATABASE_URL's server and drops it after."""
    argv = [sys.executable, str(BENCH / "sms_outbox.py")]
    if quick:
        argv += ["--n", "500", "--naive-n", "100"]
    else:
        argv += ["--n", "10000", "--naive-n", "500"]
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr[-4000:])
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or proc.stdout.strip().splitlines() or ["?"])[-1]
        return [row("sms", "sms_outbox.py (Kannel)", None, "", ok=None, note=f"not run: {reason[:100]}")]
    rows = []
    n = re.search(r"outbox:\s+(\d+) messages", proc.stdout)
    for case, unit, pattern in SMS_PATTERNS.values():
        m = re.search(pattern, proc.stdout)
        if not m:
            continue
        value = float(m.groups()[-1])
        note = f"{n.group(1)} msgs in {m.group(1)} s" if len(m.groups()) == 2 and n else ""
        if unit == "s":
            d = re.search(r"(\d+)/(\d+) delivered by DLR", proc.stdout)
            note = f"{d.group(1)}/{d.group(2)} delivered" if d else ""
        rows.append(row("sms", case, value, unit, note=note))
    return rows


def print_table(rows: list[dict], scale: int, total: float, groups: int | None = None) -> None:
    held = f" (the database holds {groups:,} groups)" if groups else ""
    print(f"\n{'=' * 130}\nResults — scale {scale}{held}, {dt.date.today().isoformat()}, total {total / 60:.1f} min, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
    print(f"{'case':<58} {'value':>16} {'SQL':>6} {'target':<20} {'':<6} note")
    bench = None
    for r in rows:
        if r["bench"] != bench:
            bench = r["bench"]
            print(f"-- {bench}")
        print(format_row(r)[:230])


if __name__ == "__main__":
    main()
