from django.urls import path

from portal.api.routers import Router

from . import billing, reference, views

router = Router()
router.register("groups", views.GroupViewSet, basename="api-group")
router.register("contacts", views.ContactViewSet, basename="api-contact")
router.register("sites", views.SiteViewSet, basename="api-site")
router.register("members", views.MemberViewSet, basename="api-member")
router.register("billing/accounts", billing.AccountViewSet, basename="api-account")
router.register("credit/orders", billing.OrderViewSet, basename="api-credit-order")
router.register("alerts", billing.AlertViewSet, basename="api-alert")
router.register("products", reference.ProductViewSet, basename="api-product")
router.register("organisation-types", reference.OrganisationTypeViewSet, basename="api-organisation-type")
router.register("industries", reference.IndustryViewSet, basename="api-industry")
urlpatterns = router.urls + [
    path("billing/payments/", billing.PaymentView.as_view(), name="api-payments"),
    path("usage/", billing.UsageView.as_view(), name="api-usage"),
]
