"""/orglife/ URLs of orglife.meetings."""

from django.urls import path

from orglife.meetings import views

urlpatterns = [
    path("", views.index, name="index"),
    path("village/<int:pk>/<int:year>/", views.village, name="village"),
    path("village/<int:pk>/<int:year>/record-book.xlsx", views.meeting_book, name="record-book"),
    path("village/<int:pk>/new/<str:kind>/", views.meeting_new, name="meeting-new"),
    path("village/<int:pk>/members/", views.members, name="members"),
    path("meeting/<int:pk>/", views.meeting, name="meeting"),
    path("meeting/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meeting/<int:pk>/delete/", views.meeting_delete, name="meeting-delete"),
    path("meeting/<int:pk>/vote/", views.vote_new, name="vote-new"),
    path("township/<int:pk>/<int:year>/", views.township, name="township"),
    path("township/<int:pk>/<int:year>/compliance.xlsx", views.township_xlsx, name="township-xlsx"),
    path("township/<int:pk>/settings/", views.township_settings, name="settings"),
    path("township/<int:pk>/themes/", views.themes, name="themes"),
    path("county/<int:pk>/<int:year>/", views.county, name="county"),
]
