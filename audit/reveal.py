"""Personal numbers on an admin change page: masked by default, revealed on request to holders of a permission.

PIPL art. 51: ID and phone numbers are shown masked everywhere (lists, change pages, history). A person holding
`reveal_permission` (for party members `members.reveal_personal_data`) presses "显示完整号码" on a record in their
reach: the full numbers are shown once, on a page that is not cached, and the reveal is kept as a REVEAL event.
Without the permission the button is not offered and the reveal page answers 403 with no event; outside the reach it
answers 404 like a missing record.

On the change form the masked value stands in the field: left as it is, the stored number is kept; typed over, the
new number is checked and saved. Someone who may only read the record sees the masked value as text.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from audit.events import Action, record

KEEP_HELP = _("Shown masked: leave it as it is to keep the number on record, or type the whole new number.")


class RevealMixin:
    """For a ModelAdmin: `reveal_fields` maps each personal field to the admin display method that masks it."""

    reveal_fields: dict[str, str] = {}
    reveal_permission: str = ""
    change_form_template = "audit/admin/reveal_change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.reveal_view)
        return [path("<path:object_id>/reveal/", view, name=self._name("reveal")), *super().get_urls()]

    def _name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def may_reveal(self, request, obj=None) -> bool:
        return request.user.has_perm(self.reveal_permission, obj) and self.has_view_permission(request, obj)

    def reveal_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.may_reveal(request, obj):
            raise PermissionDenied
        record(Action.REVEAL, request=request, obj=obj, fields=list(self.reveal_fields))
        rows = [(self.opts.get_field(name).verbose_name, getattr(obj, name)) for name in self.reveal_fields]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": _("Full numbers of %(name)s") % {"name": obj},
            "rows": rows,
            "change_url": reverse(f"{self.admin_site.name}:{self._name('change')}", args=[obj.pk]),
        }
        response = TemplateResponse(request, "audit/admin/revealed.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {
            "may_reveal": self.may_reveal(request),
            "reveal_url": reverse(f"{self.admin_site.name}:{self._name('reveal')}", args=[object_id]),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)

    # --- masked values on the page ------------------------------------------------------------------------------

    def _read_only(self, request, obj) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        """Read-only: the masked display methods stand where the personal fields were."""
        fieldsets = super().get_fieldsets(request, obj)
        if not self._read_only(request, obj):
            return fieldsets
        return [(title, {**opts, "fields": _swap(opts["fields"], self.reveal_fields)}) for title, opts in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self._read_only(request, obj):
            fields += [m for m in self.reveal_fields.values() if m not in fields]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return form
        maskers = {name: getattr(self, method) for name, method in self.reveal_fields.items()}
        return masked_form(form, maskers)


def _swap(fields, names: dict[str, str]):
    return [tuple(names.get(f, f) for f in f_) if isinstance(f_, list | tuple) else names.get(f_, f_) for f_ in fields]


def masked_form(form_class, maskers: dict):
    """`form_class` whose personal fields start with the masked value and keep the stored one when left unchanged."""

    class MaskedForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name, masker in maskers.items():
                field, stored = self.fields.get(name), getattr(self.instance, name, None)
                if field is None or not stored:
                    continue
                hidden = masker(self.instance)
                self.initial[name] = hidden
                field.clean = _keeping(field.clean, hidden, stored)
                field.help_text = format_lazy("{} {}", field.help_text, KEEP_HELP) if field.help_text else KEEP_HELP

    MaskedForm.__name__ = form_class.__name__
    return MaskedForm


def _keeping(clean, hidden: str, stored: str):
    def clean_keeping_stored(value):
        return clean(stored if value == hidden else value)

    return clean_keeping_stored
