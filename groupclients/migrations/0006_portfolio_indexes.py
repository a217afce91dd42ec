"""Indexes for the province-scale portfolio (issue 3): (name, id) for the ordered list, and on
PostgreSQL a trigram GIN index on search_text so that the substring search (name, pinyin, initials,
phone, code — one LIKE '%…%') reads the index instead of every row. SQLite has no pg_trgm; there the
search stays a scan, which is fine at the embedded default's size."""

from django.conf import settings
from django.db import migrations, models

from portal.migration_ops import postgres_only

TRGM_INDEX = "groupclients_group_search_trgm"


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_roles'),
        ('groupclients', '0005_import_billing_kinds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='groupcustomer',
            index=models.Index(fields=['name', 'id'], name='groupclients_group_name_id'),
        ),
        postgres_only(
            ["CREATE EXTENSION IF NOT EXISTS pg_trgm",
             f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON groupclients_groupcustomer "
             "USING gin (search_text gin_trgm_ops)"],
            [f"DROP INDEX IF EXISTS {TRGM_INDEX}"],
        ),
    ]
