"""The eight roles of SPEC ORG-2 exist as data from the start."""
from django.db import migrations

CODES = ["am", "mm", "agent", "leader", "manager", "quality", "analyst", "admin"]


def create_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code in CODES:
        Role.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
