"""Admin for collective projects (集体项目); the village and party group follow from the villager group."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from activity.models import Project
from activity.projects.forms import ProjectForm
from township.admin_base import ScopedAdmin


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    form = ProjectForm
    list_display = [
        "name",
        "village",
        "villager_group",
        "party_group",
        "started_on",
        "investment",
        "income",
        "local_jobs",
    ]
    list_filter = ["village__township", "village"]
    list_select_related = ["village", "villager_group__village", "party_group"]
    search_fields = ["name", "location", "village__name", "villager_group__name"]
    date_hierarchy = "started_on"
    readonly_fields = ["village", "party_group"]
    fieldsets = [
        (None, {"fields": ["villager_group", "village", "party_group", "name", "location"]}),
        (_("when"), {"fields": ["started_on", "finished_on"]}),
        (_("money and jobs"), {"fields": ["investment", "income", "local_jobs", "description"]}),
        (_("linked fund entries"), {"fields": ["fund_entries"]}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The form limits villager groups (and so fund entries) to the user's reach."""
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})


# The concerns and monthly-report admins live in their own modules and register with the site when imported.
from activity.concerns import admin as concerns_admin  # noqa: E402,F401
from activity.reports import admin as reports_admin  # noqa: E402,F401
