from django.core.management.base import BaseCommand
from django.db import transaction

from portal.demo import DemoContext, seed_all


class Command(BaseCommand):
    help = "Build a realistic demo province (idempotent). --scale N grows every table proportionally."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="multiplier for every table (default 1)")

    def handle(self, *args, scale: int, **options):
        if scale < 1:
            self.stderr.write("--scale must be at least 1")
            raise SystemExit(2)
        with transaction.atomic():
            ctx = seed_all(DemoContext(scale=scale, log=self.stdout.write))
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        users = ctx.data.get("demo_users", {})
        if users:
            self.stdout.write(f"Demo users (password: {ctx.password}):")
            for username, description in users.items():
                self.stdout.write(f"  {username:<10} {description}")
