from django.urls import path

from portal.api.routers import Router

from . import reference, views

router = Router()
router.register("tickets", views.TicketViewSet, basename="api-ticket")
router.register("complaints", views.ComplaintViewSet, basename="api-complaint")
router.register("ledger", views.LedgerViewSet, basename="api-ledger")
urlpatterns = router.urls + [
    path("fault-causes/", reference.FaultCauseListView.as_view(), name="api-fault-causes"),
    path("severities/", reference.SeverityListView.as_view(), name="api-severities"),
]
