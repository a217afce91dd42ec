"""Demo data: `manage.py seed_demo [--scale N]` runs every app's seeder in order.

Each seeder is `seed(ctx)` in `<app>/demo.py`; `ctx` carries the scale, a zh_CN Faker with a fixed
seed, and what earlier seeders built (organisation, users…). Seeders are idempotent: a second run
finds its rows by natural keys and adds nothing.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string
from faker import Faker

SEEDERS: list[str] = [
    "accounts.demo.seed",
    "groupclients.demo.seed",
    "groupclients.billing.demo.seed",
    "visits.demo.seed",
    "tickets.demo.seed",
]


@dataclass
class DemoContext:
    scale: int = 1
    password: str = field(default_factory=lambda: os.environ.get("DEMO_PASSWORD", "demo12345"))
    fake: Faker = field(default_factory=lambda: Faker("zh_CN"))
    data: dict[str, Any] = field(default_factory=dict)
    log: Any = print

    def __post_init__(self) -> None:
        self.fake.seed_instance(20261122)


def analyze_project_tables() -> None:
    """PostgreSQL: ANALYZE the project's tables one by one. A database-wide ANALYZE also takes the
    shared catalogs (pg_authid, pg_database) and, inside a long transaction, blocks every new login
    to the server until it commits."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute("SELECT quote_ident(schemaname) || '.' || quote_ident(relname) FROM pg_stat_user_tables")
        for (table,) in cur.fetchall():
            cur.execute(f"ANALYZE {table}")


def seed_all(ctx: DemoContext) -> DemoContext:
    for path in SEEDERS:
        import_string(path)(ctx)
        if ctx.scale > 1:
            # The seed runs in one transaction, where autovacuum cannot analyse what it wrote; without
            # statistics the next seeder's set-based queries plan as if the tables were empty.
            analyze_project_tables()
    return ctx
