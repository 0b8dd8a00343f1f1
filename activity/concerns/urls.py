from django.urls import path

from activity.concerns import views

app_name = "concerns"
urlpatterns = [
    path("", views.concern_list, name="list"),
    path("new/", views.concern_new, name="new"),
    path("<int:pk>/", views.concern_detail, name="detail"),
    path("<int:pk>/relay/", views.concern_relay_view, name="relay"),
    path("<int:pk>/answer/", views.concern_answer_view, name="answer"),
]
