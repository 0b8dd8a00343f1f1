"""Forms for the monthly report pages. Each write carries the report version it was read at (optimistic locking)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from activity.models import Activity
from activity.reports import services
from groups.models import households_within_limit, population_within_limit


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=0, **kwargs)


class ActivityForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Activity
        fields = [
            "kind", "held_on", "is_emergency", "villager_group", "participants", "households_reached",
            "non_party_present", "content", "outcome",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "participants": forms.CheckboxSelectMultiple,
            "content": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
            "households_reached": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "non_party_present": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        }

    def __init__(self, *args, members, villager_groups, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        # a 党小组会 is recorded once, in organisational life with attendance, and listed here from there
        kind = self.fields["kind"]
        kind.choices = [(value, label) for value, label in kind.choices if value != Activity.Kind.MEETING]
        self.fields["participants"].queryset = members
        self.fields["villager_group"].queryset = villager_groups
        self.fields["villager_group"].empty_label = _("(the whole party group)")
        participants = self.fields["participants"]
        participants.required = True
        participants.error_messages["required"] = "请至少选择一名参加的党员：党小组的活动总有党员参加。"
        limits = (("households_reached", households_within_limit), ("non_party_present", population_within_limit))
        for name, limit in limits:
            self.fields[name].validators.append(limit)
            self.fields[name].widget.attrs["max"] = limit.limit_value

    def clean_held_on(self):
        # Checked here too, so a wrong date shows together with the form's other errors, not on a second try.
        held_on = self.cleaned_data["held_on"]
        if self.report is not None and (error := services.held_on_error(self.report, held_on)):
            raise forms.ValidationError(error, code="month")
        return held_on

    def _post_clean(self):
        # The service validates the activity against its report; the form only checks its own fields.
        pass


class SummaryForm(forms.Form):
    version = VersionField()
    summary = forms.CharField(
        max_length=2000,
        label=_("summary of the month"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything the branch should know; if the group did nothing this month, say why."),
    )


class VersionForm(forms.Form):
    version = VersionField()


class MonthCloseForm(forms.Form):
    reason = forms.CharField(
        label="有党小组未提交仍关闭的理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=500,
        help_text="只有部分党小组尚未提交时才需要填写；理由会留档。",
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for reopening"), widget=forms.Textarea(attrs={"rows": 3}), min_length=4, max_length=500
    )
