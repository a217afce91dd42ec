from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Fault tickets and complaints")

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers JOB-3)
