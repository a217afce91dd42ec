"""Pages for retention alerts and credit control, under /groups/ (included by groupclients.urls)."""
from django.urls import path

from . import views

urlpatterns = [
    path("alerts/", views.alert_inbox, name="alert-inbox"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/act/", views.alert_action, name="alert-action"),
    path("credit/", views.credit_orders, name="credit-orders"),
    path("accounts/<int:pk>/", views.account_detail, name="account-detail"),
    path("accounts/<int:pk>/<str:action>/", views.account_action, name="account-action"),
]
