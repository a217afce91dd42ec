import json
import time

from django.core.management.base import BaseCommand, CommandError

from portal.jobruns import run_job
from portal.jobs import JOBS


class Command(BaseCommand):
    help = ("Run a scheduled job now, in this process, under its lock: runjob NAME; runjob --list. "
            "Prints the counts, or that it skipped because another run holds the lock.")

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?")
        parser.add_argument("--list", action="store_true", help="list the jobs")
        parser.add_argument("--hold", type=float, default=0, metavar="SECONDS",
                            help="keep the job's lock this long after the run (drills, the jobs-twice check)")

    def handle(self, *args, name=None, list=False, hold=0, **options):
        if list or not name:
            for job in JOBS.values():
                when = job.crontab or f"every {job.every_minutes} min"
                self.stdout.write(f"{job.name:<28} {when:<16} {job.description}")
            return
        if name not in JOBS:
            raise CommandError(f"Unknown job {name!r}; runjob --list shows the jobs.")
        if not 0 <= hold <= 3600:
            raise CommandError("--hold takes 0 to 3600 seconds.")
        started = time.monotonic()
        result = run_job(name, hold_seconds=hold)
        self.stdout.write(json.dumps({"job": name, "result": result,
                                      "seconds": round(time.monotonic() - started, 3)}, ensure_ascii=False))
