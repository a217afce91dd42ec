from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("auth/logout/", views.TokenLogoutView.as_view(), name="api-token-logout"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("users/", views.UserListView.as_view(), name="api-users"),
    path("orgunits/", views.OrgUnitListView.as_view(), name="api-orgunits"),
]
