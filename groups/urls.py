from django.urls import path

from groups import views

app_name = "groups"
urlpatterns = [
    path("<int:pk>/", views.party_group_detail, name="party-group"),
    path("<int:pk>/election/new/", views.election_new, name="election-new"),
    path("<int:pk>/appointment/new/", views.appointment_new, name="appointment-new"),
]
