from django.urls import include, path

from portal.api.routers import Router

from . import reference, views

router = Router()
router.register("groups", views.GroupViewSet, basename="api-group")
router.register("contacts", views.ContactViewSet, basename="api-contact")
router.register("sites", views.SiteViewSet, basename="api-site")
router.register("members", views.MemberViewSet, basename="api-member")
router.register("products", reference.ProductViewSet, basename="api-product")
router.register("organisation-types", reference.OrganisationTypeViewSet, basename="api-organisation-type")
router.register("industries", reference.IndustryViewSet, basename="api-industry")
urlpatterns = router.urls + [
    path("", include("groupclients.billing.api.urls")),
]
