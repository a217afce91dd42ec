from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and organisation")

    def ready(self) -> None:
        from . import policies, signals  # noqa: F401  (policy keys; token revocation on logout / password change)
