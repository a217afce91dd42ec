import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from portal.jobs import JOBS


class Command(BaseCommand):
    help = "Store every registered job in django-celery-beat (idempotent; keeps times an admin changed)."

    def handle(self, *args, **options):
        created = 0
        for job in JOBS.values():
            if PeriodicTask.objects.filter(name=job.name).exists():
                continue
            kwargs = {}
            if job.crontab:
                minute, hour, dom, month, dow = job.crontab.split()
                kwargs["crontab"], _ = CrontabSchedule.objects.get_or_create(
                    minute=minute, hour=hour, day_of_month=dom, month_of_year=month, day_of_week=dow,
                    timezone=settings.TIME_ZONE,
                )
            else:
                kwargs["interval"], _ = IntervalSchedule.objects.get_or_create(
                    every=job.every_minutes, period=IntervalSchedule.MINUTES
                )
            PeriodicTask.objects.create(
                name=job.name, task=job.task, description=job.description, kwargs=json.dumps({}), **kwargs
            )
            created += 1
        self.stdout.write(f"schedules: {created} created, {len(JOBS) - created} already present")
