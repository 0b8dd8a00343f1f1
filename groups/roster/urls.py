"""/roster/: importing party members from an Excel roster, and downloading the roster."""

from django.urls import path

from groups.roster import views

app_name = "roster"
urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("import/preview/", views.import_preview, name="import-preview"),
    path("import/confirm/", views.import_confirm, name="import-confirm"),
    path("roster.xlsx", views.roster_xlsx, name="roster"),
    path("roster/", views.roster_job, name="roster-job"),
    path("national.xlsx", views.national_xlsx, name="national"),
    path("national/", views.national_job, name="national-job"),
]
