"""The base of every admin page: querysets, choices and permissions all follow `township.scoping`."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import NotRelationField, get_fields_from_path, unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from township.models import Assignment, Township
from township.scoping import role_of

Role = Assignment.Role
ONE_TOWNSHIP = frozenset({Role.TOWNSHIP_STAFF, Role.BRANCH_SECRETARY, Role.GROUP_LEADER})


def _right(user, name: str) -> bool:
    """`user.has_perm(name)`, asked once per request: an admin page asks it of every model in the sidebar and every
    row's links (~100 times), each through the rules (the person's assignment)."""
    asked = user.__dict__.setdefault("_admin_rights", {})
    if name not in asked:
        asked[name] = user.has_perm(name)
    return asked[name]


def may_view(user) -> bool:
    return _right(user, "admin.view")


def may_edit(user) -> bool:
    return _right(user, "admin.change")


class ScopeMixin:
    """Scoped queryset, scoped foreign-key choices, and permissions by role (county viewers only read).

    `money_fields` names the yuan amounts of the model, typed through `core.forms.YuanField` as on every page.
    """

    money_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.money_fields:
            from core.forms import YuanField

            kwargs.setdefault("form_class", YuanField)
            kwargs.setdefault("allow_zero", True)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.visible_to(request.user) if hasattr(qs, "visible_to") else qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        qs = related._default_manager.all()
        if hasattr(qs, "visible_to"):
            qs = qs.visible_to(request.user)
            if any(f.name == "village" for f in related._meta.fields):
                qs = qs.select_related("village")
            kwargs.setdefault("queryset", qs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return may_view(request.user)

    def has_view_permission(self, request, obj=None):
        return may_view(request.user)

    def has_add_permission(self, request, *args):
        return may_edit(request.user)

    def has_change_permission(self, request, obj=None):
        return may_edit(request.user)

    def has_delete_permission(self, request, obj=None):
        return may_edit(request.user)

    def action_checkbox(self, obj):
        """Django's row checkbox, the same HTML written out: Django renders a checkbox widget through the template
        engine for each row, a sixth of a list's time."""
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A related-field filter offering only the rows in the user's reach (Django's lists every row of the model)."""

    def field_choices(self, field, request, model_admin):
        qs = field.related_model._default_manager.all()
        if not hasattr(qs, "visible_to"):
            return super().field_choices(field, request, model_admin)
        return field.get_choices(
            include_blank=False,
            ordering=self.field_admin_ordering(field, request, model_admin),
            limit_choices_to={"pk__in": qs.visible_to(request.user).values("pk")},
        )


def _filter_field(model, spec):
    if not isinstance(spec, str):
        return None
    try:
        return get_fields_from_path(model, spec)[-1]
    except (FieldDoesNotExist, NotRelationField):
        return None


def _scoped_list_filter(model, spec):
    field = _filter_field(model, spec)
    return (spec, ScopedRelatedFieldListFilter) if field is not None and field.is_relation else spec


class ScopedChangeList(ChangeList):
    """Django's list, whose rows' links carry the list's search and filters back (`_changelist_filters`) as Django's
    do, written once for the page: Django resolves each row's URL again to learn it is not the list's own (a walk
    through every URL pattern, fifty times a page)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_filters, self.preserved_filters = self.preserved_filters, ""

    def url_for_result(self, result):
        url = super().url_for_result(result)
        return f"{url}?{self.row_filters}" if self.row_filters else url


class ScopedAdmin(ScopeMixin, SimpleHistoryAdmin):
    """A model admin for township staff, with the change history (who, when, what) one click away."""

    def get_changelist(self, request, **kwargs):
        return ScopedChangeList

    def get_list_filter(self, request):
        """The filters, each offering what is in reach; a filter by township is left out for those whose reach is
        one township (it would offer one choice, which Django does not show, after a query to find it)."""
        one_township = role_of(request.user) in ONE_TOWNSHIP
        return [
            _scoped_list_filter(self.model, spec)
            for spec in super().get_list_filter(request)
            if not (one_township and getattr(_filter_field(self.model, spec), "related_model", None) is Township)
        ]

    def _in_reach_or_404(self, request, object_id) -> None:
        """simple_history falls back to the history table for a row the scoped queryset does not return, which would
        show (and let a user revert) another township's record: outside the reach answers 404 like a missing object.
        A superuser still sees the history of deleted rows."""
        if self.get_object(request, unquote(object_id)) is None and not request.user.is_superuser:
            raise Http404

    def get_object(self, request, object_id, from_field=None):
        """The object through the scope; asking for one outside it is kept as an ACCESS_DENIED event."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            from audit.events import record_denied

            record_denied(self.model, request.user, **{from_field or "pk": object_id})
        return obj

    def history_view(self, request, object_id, extra_context=None):
        self._in_reach_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version is read, never written back: simple-history saves the posted form as a "revert" for anyone
        who may view the record, even on read-only records (ledger, elections), so every POST is refused."""
        self._in_reach_or_404(request, object_id)
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        from audit.masking import MaskedHistoryContextHelper

        return MaskedHistoryContextHelper(self.model, historical_record)


class ScopedTabularInline(ScopeMixin, admin.TabularInline):
    extra = 0


class ReadOnlyMixin:
    """Records that change only through their services (ledger, reports, elections, appraisal): shown, never edited."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, ScopedAdmin):
    """A scoped admin for records that change only through their services."""
