"""The township admin: Chinese titles, and the warnings of the user's reach on the index page."""

import threading
from contextvars import ContextVar
from functools import wraps

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.templatetags import admin_list
from django.template.response import SimpleTemplateResponse
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# the admin request being answered (its page rendered before the view returns: `TownshipAdminSite.admin_view`)
_answering: ContextVar = ContextVar("admin_request", default=None)
KEPT_APP_LISTS = 64  # distinct (permissions, language, prefix) kept at once: a handful of roles in practice


class TownshipAdminSite(admin.AdminSite):
    site_header = _("Party group administration")
    site_title = _("Party group administration")
    index_title = _("Township administration")

    def has_permission(self, request) -> bool:
        """Township staff and county viewers (read-only) may enter; branch secretaries work on the branch pages; the
        account administrator (三员) enters for accounts and roles only, the security auditor not at all."""
        user = request.user
        return user.is_active and user.is_staff and user.has_perm("admin.enter")

    def index(self, request, extra_context=None):
        from groups.selectors import warnings_for
        from township.scoping import villages_for

        extra_context = {**(extra_context or {}), "warnings": warnings_for(villages_for(request.user))}
        return super().index(request, extra_context)

    def admin_view(self, view, cacheable=False):
        """Django's admin view, which renders its page while the request is known to the page's read-only fields
        (`readonly_links_that_open`)."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def answering(request, *args, **kwargs):
            token = _answering.set(request)
            try:
                response = inner(request, *args, **kwargs)
                if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                    response.render()
                return response
            finally:
                _answering.reset(token)

        return answering

    # Every admin page lists the apps and models the person may open (the sidebar, the index): Django builds that
    # list afresh each time, resolving two URLs per model and translating every name to sort them (a seventh of an
    # admin list's time), although it depends only on what the person may do with each model. So the list is kept
    # per set of those answers (asked of each model's admin at every request, as Django asks them), the language
    # and the URL prefix; each request gets its own copy.
    _app_lists: dict = {}
    _app_lists_lock = threading.Lock()

    def _answers(self, request, app_label) -> tuple:
        answers = []
        for model, model_admin in self._registry.items():
            if app_label and model._meta.app_label != app_label:
                continue
            if model_admin.has_module_permission(request):
                perms = model_admin.get_model_perms(request)
                answers.append((model._meta.label, tuple(sorted(perms.items()))))
        return tuple(answers)

    def get_app_list(self, request, app_label=None):
        key = (self.name, self._answers(request, app_label), app_label, get_language(), get_script_prefix())
        kept = self._app_lists.get(key)
        if kept is None:
            kept = super().get_app_list(request, app_label)
            with self._app_lists_lock:
                if len(self._app_lists) >= KEPT_APP_LISTS:
                    self._app_lists.clear()
                self._app_lists[key] = kept
        return [
            {**app, "models": [{**model, "perms": dict(model["perms"])} for model in app["models"]]} for app in kept
        ]


BOOLEAN_WORDS = {True: ("yes", "是"), False: ("no", "否"), None: ("unknown", "未知")}


def _boolean_icon(value) -> str:
    """The admin's yes/no icon, its text 是/否/未知 (Django's says True/False/None, which a screen reader reads out)."""
    icon, word = BOOLEAN_WORDS[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), word)


def chinese_boolean_icons() -> None:
    """Every admin page draws booleans through `admin_list._boolean_icon` (the other modules look it up there)."""
    admin_list._boolean_icon = _boolean_icon


_djangos_admin_url = helpers.AdminReadonlyField.get_admin_url


def _admin_url_that_opens(self, remote_field, remote_obj):
    """Django links a read-only field's related object to its admin page whoever reads it: township staff reading who
    recorded a concern got a link to that account's page, which answers them 403. The link is written only when the
    reader may open that page (its admin lets them view it, and the object is in their reach); else the name alone."""
    request = _answering.get()
    target = self.model_admin.admin_site._registry.get(remote_field.model)
    if (
        request is None
        or target is None
        or not target.has_view_permission(request, remote_obj)
        or not target.get_queryset(request).filter(pk=remote_obj.pk).exists()
    ):
        return str(remote_obj)
    return _djangos_admin_url(self, remote_field, remote_obj)


def readonly_links_that_open() -> None:
    """Every admin page's read-only fields link their related objects through `helpers.AdminReadonlyField`."""
    helpers.AdminReadonlyField.get_admin_url = _admin_url_that_opens
