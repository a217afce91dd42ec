from django.urls import path

from . import views

urlpatterns = [path("kpi/", views.KpiView.as_view(), name="api-kpi")]
