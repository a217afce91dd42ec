import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from portal.jobs import JOBS


class Command(BaseCommand):
    help = "Store every registered job in django-celery-beat (idempotent; keeps times an admin changed)."

    def handle(self, *args, **options):
        created = repointed = 0
        for job in JOBS.values():
            existing = PeriodicTask.objects.filter(name=job.name).first()
            if existing is not None:
                # keep the admin's times; only follow a job whose task was renamed (sms_outbox_flush
                # moved to a task of its own that takes the job's lock, issue 13 item 2)
                if existing.task != job.task:
                    existing.task = job.task
                    existing.save(update_fields=["task"])
                    repointed += 1
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
        self.stdout.write(f"schedules: {created} created, {len(JOBS) - created} already present"
                          + (f", {repointed} pointed at their job's new task" if repointed else ""))
