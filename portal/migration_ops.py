"""Migration helpers. `postgres_only` runs SQL that only PostgreSQL understands (trigram and
ordered partial indexes for the province-scale pages) and does nothing on SQLite, the embedded
default, where those tables stay small."""
from django.db import migrations


def postgres_only(forward: list[str], backward: list[str]) -> migrations.RunPython:
    def run(statements):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                for sql in statements:
                    schema_editor.execute(sql)
        return apply

    return migrations.RunPython(run(forward), run(backward))
