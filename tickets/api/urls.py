from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("tickets", views.TicketViewSet, basename="api-ticket")
router.register("complaints", views.ComplaintViewSet, basename="api-complaint")
router.register("ledger", views.LedgerViewSet, basename="api-ledger")
urlpatterns = router.urls
