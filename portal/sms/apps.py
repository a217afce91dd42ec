from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsConfig(AppConfig):
    name = "portal.sms"
    label = "sms"
    verbose_name = _("SMS gateway")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, jobs, secret  # noqa: F401  system checks (sms.E001, the inbound secret); sms_outbox_flush in portal.jobs
