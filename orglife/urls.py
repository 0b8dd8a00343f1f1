"""/orglife/: 组织生活 — meetings and attendance, the township's monthly theme, compliance, visits, posts."""

from django.urls import include, path

app_name = "orglife"
urlpatterns = [
    path("", include("orglife.meetings.urls")),
    path("visits/", include("orglife.visits.urls")),
    path("posts/", include("orglife.posts.urls")),
    path("committee/", include("orglife.committee.urls")),
]
