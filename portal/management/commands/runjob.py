import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from portal.jobs import JOBS


class Command(BaseCommand):
    help = "Run a scheduled job now, in this process: runjob NAME; runjob --list"

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?")
        parser.add_argument("--list", action="store_true", help="list the jobs")

    def handle(self, *args, name=None, list=False, **options):
        if list or not name:
            for job in JOBS.values():
                when = job.crontab or f"every {job.every_minutes} min"
                self.stdout.write(f"{job.name:<28} {when:<16} {job.description}")
            return
        job = JOBS.get(name)
        if job is None:
            raise CommandError(f"Unknown job {name!r}; runjob --list shows the jobs.")
        task = import_string(job.task)  # task names are their dotted paths
        started = time.monotonic()
        result = task.apply().get()
        self.stdout.write(json.dumps({"job": name, "result": result,
                                      "seconds": round(time.monotonic() - started, 3)}, ensure_ascii=False))
