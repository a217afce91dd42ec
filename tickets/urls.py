from django.urls import path

from . import views

urlpatterns = [
    path("", views.ticket_list, name="ticket-list"),
    path("new/", views.ticket_pick_group, name="ticket-pick-group"),
    path("new/<int:group_pk>/", views.ticket_create, name="ticket-create"),
    path("<int:pk>/", views.ticket_detail, name="ticket-detail"),
    path("<int:pk>/reveal/", views.ticket_reveal, name="ticket-reveal"),
    path("<int:pk>/<str:action>/", views.ticket_action, name="ticket-action"),
    path("complaints/", views.complaint_list, name="complaint-list"),
    path("complaints/new/", views.complaint_create, name="complaint-create"),
    path("complaints/<int:pk>/<str:action>/", views.complaint_action, name="complaint-action"),
    path("ledger/", views.ledger_list, name="ledger"),
    path("ledger/<int:pk>/reverse/", views.ledger_reverse_view, name="ledger-reverse"),
]
