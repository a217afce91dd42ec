from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("groups", views.GroupViewSet, basename="api-group")
router.register("contacts", views.ContactViewSet, basename="api-contact")
router.register("sites", views.SiteViewSet, basename="api-site")
router.register("members", views.MemberViewSet, basename="api-member")
urlpatterns = router.urls
