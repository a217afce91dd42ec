from django.core.management.base import BaseCommand, CommandError

from portal.exceptions import ApplicationError
from portal.kpi.closing import month_close
from portal.kpi.periods import add_months, parse_month, previous_month


class Command(BaseCommand):
    help = (
        "Close KPI months (JOB-7): kpi_close [--month YYYY-MM] [--back N]. Without options: last month, "
        "like `runjob monthly_close`. --back N closes the N months before this one (oldest first), "
        "e.g. after loading history. Closed months are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="the month to close, YYYY-MM")
        parser.add_argument("--back", type=int, default=0, help="close the last N months")

    def handle(self, *args, month=None, back=0, **options):
        if month:
            m = parse_month(month)
            if m is None:
                raise CommandError("--month must look like 2025-05")
            months = [m]
        elif back:
            last = previous_month()
            months = [add_months(last, -i) for i in range(back - 1, -1, -1)]
        else:
            months = [previous_month()]
        for m in months:
            try:
                self.stdout.write(str(month_close(month=m)))
            except ApplicationError as e:
                raise CommandError(e.message) from e
