from portal.api.routers import Router

from . import views

router = Router()
router.register("visits", views.VisitViewSet, basename="api-visit")
router.register("surveys", views.SurveyViewSet, basename="api-survey")
router.register("repairs", views.RepairCaseViewSet, basename="api-repair")
urlpatterns = router.urls
