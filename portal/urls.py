from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from accounts import views as account_views
from portal.api.schema_view import CachedSpectacularAPIView
from portal.health import HealthView

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("groups/", include("groupclients.urls")),
    path("visits/", include("visits.urls")),
    path("tickets/", include("tickets.urls")),
    path("kpi/", include("portal.kpi.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", CachedSpectacularAPIView.as_view(), name="api-schema"),
    # Kannel's callbacks (SMS-2), apart from the integrators' schema (issue 12 item 14)
    path("api/schema/gateway/", CachedSpectacularAPIView.as_view(custom_settings={
        "TITLE": "Portal SMS gateway callbacks (Kannel)",
        "PREPROCESSING_HOOKS": ["portal.api.schema.only_gateway_callbacks"]}), name="api-schema-gateway"),
    path("health/", HealthView.as_view(), name="health"),  # issue 13 item 6: for load balancers, unauthenticated
    # Swagger UI's script is served as a file (split view: no inline script under the CSP); its
    # page keeps an inline <style> and sets style attributes, allowed on this page only.
    path("api/docs/", csp_update({"style-src": ["'unsafe-inline'"]})(
        SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
