from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits and satisfaction")

    def ready(self) -> None:
        from portal.sms.inbound import register_handler

        from . import jobs  # noqa: F401  (registers the scheduled jobs)
        from .services import survey_reply_record

        register_handler(survey_reply_record)
