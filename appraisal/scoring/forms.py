"""Forms of the appraisal pages. They read what people type; the rules are in `appraisal.scoring.services`."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from appraisal.models import RubricItem, SpotCheck
from appraisal.rules import QUARTERS
from core import clock
from core.words import quarter_cn
from groups.models import PartyGroup
from members.models import AnnualReview

Grade = AnnualReview.Grade


def date_input():
    """An HTML date picker; its value must be written YYYY-MM-DD whatever the language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def points_field(label, *, max_value: Decimal, places: int = 2, help_text="") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0"),
        max_value=max_value,
        decimal_places=places,
        max_digits=6,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.1" if places == 1 else "0.01", "inputmode": "decimal"}),
    )


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PartyGroup) -> str:
        return f"{obj.village.name} · {obj.name}"


class YearOpenForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, townships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = clock.this_year()
        if townships is not None and len(townships) > 1:
            self.fields["township"] = forms.ModelChoiceField(label=_("Township"), queryset=townships)
        self.townships = townships


class ComputeForm(forms.Form):
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int, choices=[(q, q) for q in range(1, QUARTERS + 1)])


class ScoreForm(forms.Form):
    """The assessor's points on a manual item for one quarter."""

    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int, choices=[])
    item = forms.ModelChoiceField(label=_("Item"), queryset=RubricItem.objects.none(), empty_label=None)
    points = forms.DecimalField(
        label=_("Points"),
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    evidence = forms.CharField(
        max_length=2000,
        label=_("What the points rest on"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: visited 10 households of 5社, 9 satisfied."),
    )

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = year.rubric.filter(source=RubricItem.Source.MANUAL)
        self.fields["quarter"].choices = [(q, quarter_cn(q)) for q in range(1, QUARTERS + 1)]

    def clean(self):
        data = super().clean()
        item, points = data.get("item"), data.get("points")
        if item is not None and points is not None and points > item.max_points:
            self.add_error(
                "points", _("“%(i)s” is worth at most %(m)s points.") % {"i": item.name, "m": item.max_points}
            )
        return data


class SpotCheckForm(forms.Form):
    party_group = GroupChoiceField(label=_("Party group"), queryset=PartyGroup.objects.none())
    checked_on = forms.DateField(label=_("Checked on"), widget=date_input())
    checked_by = forms.CharField(label=_("Checked by"), max_length=100)
    by_visit = forms.BooleanField(label=_("Visited the group"), required=False)
    by_asking_villagers = forms.BooleanField(label=_("Asked villagers"), required=False)
    by_reading_records = forms.BooleanField(label=_("Read the records"), required=False)
    findings = forms.CharField(max_length=2000, label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}))
    rating = forms.ChoiceField(label=_("Rating"), choices=SpotCheck.Rating.choices, widget=forms.RadioSelect)
    points = points_field(_("Points (0–100)"), max_value=Decimal("100"), places=1)
    rectification = forms.CharField(
        max_length=2000,
        label=_("Rectification required (整改通知书)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the rating is poor; say what must be put right."),
    )
    rectify_by = forms.DateField(label=_("Rectify by"), required=False, widget=date_input())

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_group"].queryset = groups.select_related("village").order_by("village__name", "name")
        if not self.is_bound:
            self.fields["checked_on"].initial = clock.today()


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(
        max_length=2000, label=_("What the follow-up found"), widget=forms.Textarea(attrs={"rows": 3})
    )
    rectified_on = forms.DateField(
        label=_("Put right on"),
        required=False,
        widget=date_input(),
        help_text=_("Leave empty if it is not yet put right."),
    )


class DrawForm(forms.Form):
    count = forms.IntegerField(label=_("How many party groups"), min_value=1, max_value=100, initial=3)
    seed = forms.IntegerField(
        label=_("Draw number"),
        required=False,
        min_value=0,
        max_value=999_999,
        help_text=_("Leave empty for a new draw; the same number draws the same groups again."),
    )


class BranchForm(forms.Form):
    township_points = points_field(_("Points on the township's items (0–100)"), max_value=Decimal("100"), places=1)
    notes = forms.CharField(max_length=2000, label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewsForm(forms.Form):
    """One grade field per member of the branch: `grade_<member id>` (empty: not graded)."""

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not graded —")), *Grade.choices]
        self.members = members
        for m in members:
            self.fields[f"grade_{m.pk}"] = forms.ChoiceField(
                label=m.name, choices=choices, required=False, initial=m.grade or ""
            )

    def rows(self):
        return [(m, self[f"grade_{m.pk}"]) for m in self.members]

    def grades(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data.get(f"grade_{m.pk}") or "" for m in self.members}
