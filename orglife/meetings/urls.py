"""/orglife/ URLs of orglife.meetings."""

from django.urls import path, register_converter
from django.urls.converters import get_converters

from core.converters import MonthConverter
from orglife.meetings import group_views, views

if "month" not in get_converters():  # the monthly reports' URLs register it too
    register_converter(MonthConverter, "month")

urlpatterns = [
    path("", views.index, name="index"),
    path("village/<int:pk>/<int:year>/", views.village, name="village"),
    path("village/<int:pk>/<int:year>/record-book.xlsx", views.meeting_book, name="record-book"),
    path("village/<int:pk>/new/<str:kind>/", views.meeting_new, name="meeting-new"),
    path("village/<int:pk>/members/", views.members, name="members"),
    path("meeting/<int:pk>/", views.meeting, name="meeting"),
    path("meeting/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meeting/<int:pk>/delete/", views.meeting_delete, name="meeting-delete"),
    path("group/<int:group_pk>/<month:month>/meeting/", group_views.group_meeting_new, name="group-meeting-new"),
    path("meeting/<int:pk>/vote/", views.vote_new, name="vote-new"),
    path("township/<int:pk>/<int:year>/", views.township, name="township"),
    path("township/<int:pk>/<int:year>/compliance.xlsx", views.township_xlsx, name="township-xlsx"),
    path("township/<int:pk>/settings/", views.township_settings, name="settings"),
    path("township/<int:pk>/themes/", views.themes, name="themes"),
    path("county/<int:pk>/<int:year>/", views.county, name="county"),
]
