"""Reference rows every database needs (roles, controlled lists, policy tables, SMS templates).

They are created by data migrations; this re-runs the same (idempotent) migration functions after
every `migrate` and every `flush` through the post_migrate signal, so a database emptied by a
flush — a transactional test's teardown, or an operator's `manage.py flush` — gets them back.
"""
from __future__ import annotations

import importlib

# (migration module, function): each function only get_or_creates its rows
SEEDS = [
    ("accounts.migrations.0002_roles", "create_roles"),
    ("groupclients.migrations.0002_controlled_lists", "forwards"),
    ("visits.migrations.0002_default_frequency", "forwards"),
    ("tickets.migrations.0003_sla_defaults", "forwards"),
    ("portal.sms.migrations.0002_default_templates", "seed"),
]


def ensure_reference_data(sender=None, using="default", **kwargs) -> None:
    from django.apps import apps

    for module, func in SEEDS:
        getattr(importlib.import_module(module), func)(apps, None)
