"""VIS-1 defaults: A/B — the group and its primary contact monthly, other key persons every two
months; C — everything every two months."""
from django.db import migrations

TARGETS = ["group", "primary", "decision_maker", "dept_head", "contact", "other_decision_maker"]


def forwards(apps, schema_editor):
    VisitFrequency = apps.get_model("visits", "VisitFrequency")
    for grade in "ABC":
        for target in TARGETS:
            months = 1 if grade in "AB" and target in ("group", "primary") else 2
            VisitFrequency.objects.get_or_create(grade=grade, target=target, defaults={"period_months": months})


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
