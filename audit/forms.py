"""The audit page's filters: person, object type and id, action (or kind of change), date from/to."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import SecurityEvent
from audit.selectors import CHANGE_TYPES, object_type_choices


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    """Filters shared by both tabs. Every field is optional; an empty form shows everything, newest first."""

    person = forms.CharField(
        label=_("Account"), required=False, max_length=150, help_text=_("User name, or a part of it.")
    )
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object number"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("any"))] + object_type_choices()

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date; swap them or correct one."))
        return data

    def filters(self) -> dict:
        """The filters in force (none while the form has errors, so a wrong date never hides rows silently)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class EventFilterForm(AuditFilterForm):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("any")), *SecurityEvent.Action.choices]
    )


class ChangeFilterForm(AuditFilterForm):
    change = forms.ChoiceField(label=_("Kind of change"), required=False, choices=[("", _("any")), *CHANGE_TYPES])
