"""/audit/: the security auditor's page (security events, data changes, export)."""

from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.events, name="events"),
    path("changes/", views.changes, name="changes"),
    path("events.xlsx", views.events_xlsx, name="events-xlsx"),
]
