"""/standing/: members' standing over time, members working away, the handling of 不合格 grades."""

from django.urls import path

from groups.standing import views

app_name = "standing"
urlpatterns = [
    path("village/<int:pk>/", views.village_standing, name="village"),
    path("member/<int:pk>/", views.member_standing, name="member"),
    path("member/<int:pk>/change/", views.record_change, name="record"),
    path("member/<int:pk>/away/", views.away_new, name="away-new"),
    path("away/<int:pk>/return/", views.away_back, name="away-return"),
    path("away/<int:pk>/contacts/", views.contact, name="contact"),
    path("review/<int:pk>/handling/", views.handling, name="handling"),
    path("township/<int:pk>/", views.township_standing, name="township"),
    path("township/<int:pk>/away.xlsx", views.township_away_xlsx, name="township-away-xlsx"),
]
