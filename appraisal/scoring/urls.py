"""/appraisal/: the township's appraisal years, the regular appraisal, spot checks, 民主评议 and the branches."""

from django.urls import path

from appraisal.scoring import views

app_name = "appraisal"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.year_new, name="year-new"),
    path("<int:pk>/", views.year_detail, name="year"),
    path("<int:pk>/scores/", views.scores, name="scores"),
    path("<int:pk>/scores.xlsx", views.scores_xlsx, name="scores-xlsx"),
    path("<int:pk>/compute/", views.compute, name="compute"),
    path("<int:pk>/group/<int:group_pk>/", views.group_year, name="group"),
    path("<int:pk>/group/<int:group_pk>/q<int:quarter>/", views.quarter, name="quarter"),
    path("<int:pk>/group/<int:group_pk>/score/", views.score_enter, name="score-enter"),
    path("<int:pk>/spot-checks/", views.spot_checks, name="spot-checks"),
    path("<int:pk>/spot-checks/new/", views.spot_check_new, name="spot-check-new"),
    path("<int:pk>/spot-checks/draw/", views.spot_check_draw, name="spot-check-draw"),
    path("spot-check/<int:pk>/", views.spot_check, name="spot-check"),
    path("spot-check/<int:pk>/follow-up/", views.spot_check_follow_up, name="spot-check-follow-up"),
    path("<int:pk>/reviews/", views.reviews, name="reviews"),
    path("<int:pk>/reviews/<int:village_pk>/", views.village_reviews, name="village-reviews"),
    path("<int:pk>/branches/", views.branches, name="branches"),
    path("<int:pk>/branches.xlsx", views.branches_xlsx, name="branches-xlsx"),
    path("<int:pk>/branches/refresh/", views.branches_refresh, name="branches-refresh"),
    path("<int:pk>/branches/<int:village_pk>/", views.branch_enter, name="branch-enter"),
]
