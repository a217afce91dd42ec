from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    """Supervisor KPIs, the monthly close and the AM scorecard (SPEC KPI-1, KPI-2, PEN-1, JOB-7)."""

    name = "portal.kpi"
    label = "kpi"
    verbose_name = _("KPIs and monthly close")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from portal.navigation import NavItem, register

        from . import jobs, policies  # noqa: F401  (registers JOB-7 and the KPI policy keys)
        from .closing import open_months_stale

        # A change of the visit frequency table is in force for the open months' figures at once.
        post_save.connect(open_months_stale, sender="visits.VisitFrequency", dispatch_uid="kpi-stale-frequency-save")
        post_delete.connect(open_months_stale, sender="visits.VisitFrequency", dispatch_uid="kpi-stale-frequency-del")

        register(
            NavItem(_("KPI dashboard"), "kpi-dashboard", ("leader", "manager", "analyst", "admin"), order=21),
            NavItem(_("My scorecard"), "kpi-scorecard", ("am",), order=22),
            NavItem(_("Monthly close"), "kpi-months", ("admin",), order=94),
        )
