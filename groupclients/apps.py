from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupclientsConfig(AppConfig):
    name = "groupclients"
    verbose_name = _("Group customers")
