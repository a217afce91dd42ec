from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("visits", views.VisitViewSet, basename="api-visit")
router.register("surveys", views.SurveyViewSet, basename="api-survey")
router.register("repairs", views.RepairCaseViewSet, basename="api-repair")
urlpatterns = router.urls
