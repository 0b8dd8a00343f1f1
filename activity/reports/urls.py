from django.urls import path, register_converter

from activity.reports import views
from core.converters import MonthConverter

register_converter(MonthConverter, "month")

app_name = "activity"
urlpatterns = [
    path("village/<int:village_pk>/<month:month>/", views.village_month, name="village-month"),
    path("village/<int:village_pk>/<month:month>/close/", views.village_month_close, name="village-month-close"),
    path("township/<int:township_pk>/<month:month>/close/", views.township_month_close, name="township-month-close"),
    path("group/<int:group_pk>/<month:month>/", views.report_page, name="report"),
    path("group/<int:group_pk>/<month:month>/activity/new/", views.activity_add, name="activity-new"),
    path("group/<int:group_pk>/<month:month>/reopen/", views.report_reopen, name="report-reopen"),
    path("group/<int:group_pk>/<month:month>/withdraw/", views.report_withdraw, name="report-withdraw"),
    path(
        "group/<int:group_pk>/<month:month>/<str:action>/",
        views.report_action,
        name="report-action",
    ),
    path("activity/<int:pk>/", views.activity_edit, name="activity-edit"),
    path("activity/<int:pk>/delete/", views.activity_delete, name="activity-delete"),
]
