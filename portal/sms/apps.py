from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsConfig(AppConfig):
    name = "portal.sms"
    label = "sms"
    verbose_name = _("SMS gateway")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, jobs  # noqa: F401  the system check sms.E001; sms_outbox_flush in portal.jobs
