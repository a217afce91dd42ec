from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.group_list, name="group-list"),
    path("new/", views.group_create, name="group-create"),
    path("quality/", views.data_quality, name="data-quality"),
    path("import/", views.import_start, name="import-start"),
    path("import/<int:pk>/", views.import_detail, name="import-detail"),
    path("import/<int:pk>/apply/", views.import_apply, name="import-apply"),
    path("import/<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("import/template/<str:kind>/", views.import_template, name="import-template"),
    path("export/<str:kind>/", views.export, name="export"),
    path("<int:pk>/", views.group_detail, name="group-detail"),
    path("<int:pk>/edit/", views.group_edit, name="group-edit"),
    path("<int:pk>/status/", views.group_status, name="group-status"),
    path("<int:pk>/history/", views.group_history, name="group-history"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact-create"),
    path("<int:pk>/sites/new/", views.site_create, name="site-create"),
    path("<int:pk>/products/new/", views.subscription_create, name="subscription-create"),
    path("<int:pk>/contracts/new/", views.contract_create, name="contract-create"),
    path("<int:pk>/opportunities/new/", views.opportunity_create, name="opportunity-create"),
    path("<int:pk>/members/", views.member_list, name="member-list"),
    path("<int:pk>/members/new/", views.member_create, name="member-create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/reveal/", views.contact_reveal, name="contact-reveal"),
    path("contacts/<int:pk>/history/", views.contact_history, name="contact-history"),
    path("sites/<int:pk>/edit/", views.site_edit, name="site-edit"),
    path("members/<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("opportunities/<int:pk>/", views.opportunity_action, name="opportunity-action"),
    path("", include("groupclients.billing.urls")),
]
