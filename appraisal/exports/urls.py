from django.urls import path

from appraisal.exports import views as report_views

app_name = "reports"
urlpatterns = [
    path("awards/<int:year_pk>.xlsx", report_views.award_report, name="award-report"),
    path("awards/<int:year_pk>/", report_views.award_report_job, name="award-report-job"),
]
