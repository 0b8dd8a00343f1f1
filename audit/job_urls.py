"""/jobs/: long work run off the request (audit/jobs.py)."""

from django.urls import path

from audit import job_views

app_name = "jobs"
urlpatterns = [
    path("<uuid:job_id>/", job_views.job_page, name="job"),
    path("<uuid:job_id>/file", job_views.job_download, name="download"),
    path("<uuid:job_id>/retry", job_views.job_retry_view, name="retry"),
]
