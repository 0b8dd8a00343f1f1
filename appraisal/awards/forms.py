"""Forms of the award pages. They read what people type; the rules themselves are in `appraisal.awards.services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from appraisal.awards.services import DECIDABLE_KINDS
from appraisal.models import Award
from groups.ledger.forms import date_input
from members.models import PartyMember

REASON_MAX = 1000


def reason_field(label, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": REASON_MAX}),
    )


class NominateForm(forms.Form):
    reason = reason_field(
        _("Reason: what the nominee did"),
        _("Printed on the award list. The evidence from the year's records is filled in; add the deeds."),
    )


class DecideForm(forms.Form):
    """One checkbox list per award kind (the year's nominations of that kind) and the public-notice dates."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    publicity_starts_on = forms.DateField(label=_("public notice (公示) from"), required=False, widget=date_input())
    publicity_ends_on = forms.DateField(label=_("public notice (公示) until"), required=False, widget=date_input())

    def __init__(self, *args, nominations: dict[str, list[Award]], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in DECIDABLE_KINDS:
            self.fields[kind] = forms.TypedMultipleChoiceField(
                label=Award.Kind(kind).label,
                choices=[(a.pk, str(a.pk)) for a in nominations.get(kind, [])],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            for a in nominations.get(kind, []):
                self.fields[f"reason_{a.pk}"] = forms.CharField(
                    label=_("Reason for this choice"),
                    required=False,
                    max_length=REASON_MAX,
                    widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX}),
                    initial=a.decision_reason,
                )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("publicity_starts_on"), data.get("publicity_ends_on")
        if starts and ends and ends < starts:
            self.add_error("publicity_ends_on", _("The public notice cannot end before it starts."))
        return data

    def reasons(self) -> dict[int, str]:
        """The reasons typed beside the nominations, by award id."""
        return {
            int(name.removeprefix("reason_")): value or ""
            for name, value in self.cleaned_data.items()
            if name.startswith("reason_")
        }

    def checked(self, kind: str) -> set[str]:
        """The ids ticked for a kind, as typed (bound) or as decided (initial), to render the checkboxes."""
        value = self[kind].value() or []
        return {str(v) for v in value}


class ReasonForm(forms.Form):
    reason = reason_field(_("Reason"), _("Kept on record with your name and the time."))


class RecommendForm(forms.Form):
    member = forms.ModelChoiceField(label=_("party member"), queryset=PartyMember.objects.none())
    reason = reason_field(
        _("Reason for the recommendation"), _("What makes the member fit to be a reserve township cadre.")
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: f"{m.village.name} · {m.name}"
