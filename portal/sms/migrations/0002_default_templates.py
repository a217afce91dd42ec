"""Default SMS templates (SPEC SMS-4) as admin-editable rows; code refers to them by key."""
from django.db import migrations

# Seeded from the code's defaults: a fresh install starts with the current texts.
from portal.sms.defaults import DEFAULT_TEMPLATES as TEMPLATES


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("sms", "SmsTemplate")
    for row in TEMPLATES:
        SmsTemplate.objects.get_or_create(
            key=row["key"], defaults={f: row[f] for f in ("name", "text", "description")})


def unseed(apps, schema_editor):
    SmsTemplate = apps.get_model("sms", "SmsTemplate")
    SmsTemplate.objects.filter(key__in=[row["key"] for row in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("sms", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
