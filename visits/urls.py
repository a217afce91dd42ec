from django.urls import path

from . import views

urlpatterns = [
    path("", views.visit_list, name="visit-list"),
    path("new/", views.visit_pick_group, name="visit-pick-group"),
    path("new/<int:group_pk>/", views.visit_create, name="visit-create"),
    path("<int:pk>/", views.visit_detail, name="visit-detail"),
    path("<int:pk>/edit/", views.visit_edit, name="visit-edit"),
    path("compliance/", views.compliance_view, name="visit-compliance"),
    path("plan/", views.work_plan, name="work-plan"),
    path("surveys/", views.survey_list, name="survey-list"),
    path("surveys/replies/", views.reply_list, name="survey-reply-list"),
    path("surveys/replies/<int:pk>/read/", views.reply_settle, name="survey-reply-settle"),
    path("repairs/", views.repair_list, name="repair-list"),
    path("repairs/<int:case_pk>/revisit/", views.visit_remedial, name="repair-revisit"),
]
