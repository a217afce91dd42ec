from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="kpi-dashboard"),
    path("records/<str:code>/", views.records, name="kpi-records"),
    path("ranking/", views.ranking, name="kpi-ranking"),
    path("export/<str:table>/", views.export, name="kpi-export"),
    path("scorecard/", views.scorecard, name="kpi-scorecard"),
    path("refresh/", views.refresh, name="kpi-refresh"),
    path("months/", views.months, name="kpi-months"),
    path("months/<str:month>/<str:action>/", views.month_action, name="kpi-month-action"),
]
