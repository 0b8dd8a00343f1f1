"""/awards/: the year's award decision, the reserve lists and the county's recommendations."""

from django.urls import path

from appraisal.awards import views

app_name = "awards"
urlpatterns = [
    path("", views.index, name="index"),
    path("county/", views.county, name="county"),
    path("<int:pk>/", views.year, name="year"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/start-nominating/", views.start_nominating, name="start-nominating"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/lock/", views.lock, name="lock"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/reserve/", views.reserve, name="reserve"),
    path("<int:pk>/recommend/", views.recommend, name="recommend"),
    path("award/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("reserve-entry/<int:pk>/remove/", views.reserve_remove, name="reserve-remove"),
]
