"""Everything under /api/v1/. Each app adds its own `<app>/api/urls.py` here."""
from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("groupclients.api.urls")),
    path("", include("visits.api.urls")),
    path("", include("tickets.api.urls")),
    path("sms/", include("portal.sms.api.urls")),
    path("", include("portal.kpi.api.urls")),
]
