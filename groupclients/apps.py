from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupclientsConfig(AppConfig):
    name = "groupclients"
    verbose_name = _("Group customers")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (answers the services' signals)
        from .billing import feeds, jobs  # noqa: F401  (registers the billing import kinds and JOB-4..6)
