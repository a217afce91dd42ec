"""TKT-8 defaults (the handbooks give none): critical 15 min / 2 h / 4 h; major 30 min / 4 h / 8 h;
minor 2 h / next working day / 24 h."""
from django.db import migrations

DEFAULTS = [("critical", 15, 120, 240), ("major", 30, 240, 480), ("minor", 120, None, 1440)]


def forwards(apps, schema_editor):
    SlaRule = apps.get_model("tickets", "SlaRule")
    for severity, ack, onsite, restore in DEFAULTS:
        SlaRule.objects.get_or_create(product=None, severity=severity, defaults={
            "acknowledge_minutes": ack, "on_site_minutes": onsite, "restore_minutes": restore})


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_tickets_complaints")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
