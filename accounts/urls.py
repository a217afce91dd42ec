from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_twofactor

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("two-factor/", views_twofactor.enrol, name="two-factor"),
    path("two-factor/verify/", views_twofactor.verify, name="two-factor-verify"),
    path("people/", views.people, name="people"),
    path("security/log/", views.audit_list, name="audit-log"),
]
