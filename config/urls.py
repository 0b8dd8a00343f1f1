"""Root URLs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as accounts_views
from dashboards import help as help_views
from dashboards import views

urlpatterns = [
    path("", views.home, name="home"),
    path("village/<int:pk>/", views.village, name="village"),
    path("township/<int:pk>/", views.township, name="township"),
    path("county/<int:pk>/", views.county, name="county"),
    path("help/", help_views.help_page, name="help"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/", include("accounts.urls")),
    path("groups/", include("groups.urls")),
    path("activity/", include("activity.reports.urls")),
    path("concerns/", include("activity.concerns.urls")),
    path("projects/", include("activity.projects.urls")),
    path("funds/", include("groups.ledger.urls")),
    path("dues/", include("dues.urls")),
    path("orglife/", include("orglife.urls")),
    path("appraisal/", include("appraisal.scoring.urls")),
    path("awards/", include("appraisal.awards.urls")),
    path("reports/", include("appraisal.exports.urls")),
    path("roster/", include("groups.roster.urls")),
    path("standing/", include("groups.standing.urls")),
    path("audit/", include("audit.urls")),
    path("jobs/", include("audit.job_urls")),
    path("admin/", admin.site.urls),
]

# The database unreachable: the 503 page (core.unavailable); any other error: Django's 500 page.
handler400 = "core.unavailable.bad_request"
handler500 = "core.unavailable.server_error"
