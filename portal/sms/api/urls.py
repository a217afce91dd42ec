"""/api/v1/sms/…: Kannel's callbacks."""

from django.urls import path

from . import views

urlpatterns = [
    path("inbound/", views.InboundView.as_view(), name="sms-inbound"),
    path("dlr/", views.DeliveryReportView.as_view(), name="sms-dlr"),
]
