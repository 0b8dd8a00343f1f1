"""/orglife/visits/: the township committee's contact points (联系点) and visits."""

from django.urls import path

from orglife.visits import views

urlpatterns = [
    path("", views.index, name="visit-index"),
    path("new/", views.visit_new, name="visit-new"),
    path("<int:pk>/", views.visit_detail, name="visit-detail"),
    path("problem/<int:pk>/follow-up/", views.problem_follow_up, name="visit-problem-follow-up"),
    path("problem/<int:pk>/concern/", views.problem_to_concern, name="visit-problem-concern"),
    path("points/", views.points, name="visit-points"),
    path("points/<int:pk>/end/", views.point_end, name="visit-point-end"),
]
