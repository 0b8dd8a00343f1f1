"""/orglife/committee/: the branch committee (支部委员会成员)."""

from django.urls import path

from orglife.committee import views

urlpatterns = [
    path("village/<int:pk>/", views.committee, name="committee"),
    path("seat/<int:pk>/end/", views.seat_end, name="committee-seat-end"),
]
