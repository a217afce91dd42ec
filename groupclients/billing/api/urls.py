"""API of billing, retention and credit control (included by groupclients.api.urls)."""
from django.urls import path

from portal.api.routers import Router

from . import views as billing

router = Router()
router.register("billing/accounts", billing.AccountViewSet, basename="api-account")
router.register("credit/orders", billing.OrderViewSet, basename="api-credit-order")
router.register("alerts", billing.AlertViewSet, basename="api-alert")
urlpatterns = router.urls + [
    path("billing/payments/", billing.PaymentView.as_view(), name="api-payments"),
    path("usage/", billing.UsageView.as_view(), name="api-usage"),
]
