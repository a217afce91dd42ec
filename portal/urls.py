from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView

from accounts import views as account_views
from portal.api.schema_view import CachedSpectacularAPIView

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
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
