from django.urls import include, path

from .views import groups, records, transfer

urlpatterns = [
    path("", groups.group_list, name="group-list"),
    path("new/", groups.group_create, name="group-create"),
    path("quality/", groups.data_quality, name="data-quality"),
    path("import/", transfer.import_start, name="import-start"),
    path("import/<int:pk>/", transfer.import_detail, name="import-detail"),
    path("import/<int:pk>/apply/", transfer.import_apply, name="import-apply"),
    path("import/<int:pk>/progress/", transfer.import_progress, name="import-progress"),
    path("import/template/<str:kind>/", transfer.import_template, name="import-template"),
    path("export/<str:kind>/", transfer.export, name="export"),
    path("<int:pk>/", groups.group_detail, name="group-detail"),
    path("<int:pk>/edit/", groups.group_edit, name="group-edit"),
    path("<int:pk>/status/", groups.group_status, name="group-status"),
    path("<int:pk>/history/", groups.group_history, name="group-history"),
    path("<int:pk>/contacts/new/", records.contact_create, name="contact-create"),
    path("<int:pk>/sites/new/", records.site_create, name="site-create"),
    path("<int:pk>/products/new/", records.subscription_create, name="subscription-create"),
    path("<int:pk>/contracts/new/", records.contract_create, name="contract-create"),
    path("<int:pk>/opportunities/new/", records.opportunity_create, name="opportunity-create"),
    path("<int:pk>/members/", records.member_list, name="member-list"),
    path("<int:pk>/members/new/", records.member_create, name="member-create"),
    path("contacts/<int:pk>/edit/", records.contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/reveal/", records.contact_reveal, name="contact-reveal"),
    path("contacts/<int:pk>/history/", records.contact_history, name="contact-history"),
    path("sites/<int:pk>/edit/", records.site_edit, name="site-edit"),
    path("members/<int:pk>/edit/", records.member_edit, name="member-edit"),
    path("opportunities/<int:pk>/", records.opportunity_action, name="opportunity-action"),
    path("", include("groupclients.billing.urls")),
]
