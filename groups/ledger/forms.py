"""Forms of the fund-ledger pages. They read what people type; the rules themselves are in `groups.ledger.services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core import clock, periods
from core.forms import YuanField
from core.placeholders import PLEASE_CHOOSE
from core.words import day_cn
from groups.ledger.services import decision_check, yuan_text
from groups.models import MAX_POPULATION, FundEntry, MeetingDecision


def date_input():
    """An HTML date picker; its value must be written YYYY-MM-DD whatever the language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DecisionChoiceField(forms.ModelChoiceField):
    """A villager group's decisions, each labelled with its date, subject and whether it may be cited."""

    def __init__(self, *args, quorum=None, **kwargs):
        self.quorum = quorum
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: MeetingDecision) -> str:
        problems = decision_check(obj, quorum=self.quorum) if self.quorum is not None else []
        state = _("not valid") if problems else _("valid")
        subject = obj.subject if len(obj.subject) <= 40 else obj.subject[:40] + "…"
        return f"{day_cn(obj.held_on)} {subject}（{state}）"


class EntryForm(forms.Form):
    """Income or expense for one villager group's ledger; the villager group comes from the page, never the form."""

    entry_date = forms.DateField(label=_("date"), widget=date_input())
    direction = forms.ChoiceField(
        label=_("income or expense"), choices=FundEntry.Direction.choices, widget=forms.RadioSelect
    )
    amount = YuanField(
        label=_("amount (yuan)"),
        help_text=_("For example 1000 or 1,000.50"),
        error_messages={"negative": _("Type the amount without a minus sign; choose income or expense instead.")},
    )
    category = forms.ChoiceField(label=_("category"), choices=[("", PLEASE_CHOOSE), *FundEntry.Category.choices])
    counterparty = forms.CharField(label=_("paid by / paid to"), max_length=100, required=False)
    purpose = forms.CharField(max_length=2000, label=_("purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    decision = DecisionChoiceField(
        label=_("villager group meeting decision"),
        queryset=MeetingDecision.objects.none(),
        required=False,
        empty_label=_("none"),
        help_text=_(
            "Needed for every distribution and for an expense above %(t)s yuan. Record the meeting first if it is "
            "not in the list."
        ),
    )

    def __init__(self, *args, villager_group, **kwargs):
        super().__init__(*args, **kwargs)
        township = villager_group.village.township
        field = self.fields["decision"]
        field.queryset = MeetingDecision.objects.filter(villager_group=villager_group).order_by("-held_on", "-pk")
        field.quorum = township.meeting_quorum
        field.help_text = field.help_text % {"t": yuan_text(township.fund_decision_threshold)}
        self.fields["entry_date"].initial = clock.today


# A villager group meeting counts people or households of one villager group: never more than the group can have.
MEETING_SIZE = {"max_value": f"一个村民小组的会议不会超过{MAX_POPULATION}人（户）：请核对后重新输入。"}


class DecisionForm(forms.Form):
    """What a villager group meeting decided, and who could come, came and voted for it."""

    held_on = forms.DateField(label=_("meeting held on"), widget=date_input())
    subject = forms.CharField(
        max_length=2000,
        label=_("what was decided"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the weir's contracting income goes into the road, not shared out."),
    )
    basis = forms.ChoiceField(
        label=_("counted by"), choices=MeetingDecision.Basis.choices, widget=forms.RadioSelect, initial="households"
    )
    entitled = forms.IntegerField(
        label=_("entitled to attend"), min_value=1, max_value=MAX_POPULATION, error_messages=MEETING_SIZE
    )
    present = forms.IntegerField(label=_("present"), min_value=0, max_value=MAX_POPULATION, error_messages=MEETING_SIZE)
    votes_for = forms.IntegerField(
        label=_("votes for"), min_value=0, max_value=MAX_POPULATION, error_messages=MEETING_SIZE
    )
    publicised_on = forms.DateField(label=_("result publicised on"), required=False, widget=date_input())

    def clean(self):
        data = super().clean()
        entitled, present, votes = data.get("entitled"), data.get("present"), data.get("votes_for")
        if entitled is not None and present is not None and present > entitled:
            self.add_error("present", _("More people present than entitled to attend: check both numbers."))
        if present is not None and votes is not None and votes > present:
            self.add_error("votes_for", _("More votes for than people present: check both numbers."))
        return data


class ReverseForm(forms.Form):
    entry_date = forms.DateField(label=_("date of the reversal"), widget=date_input())
    reason = forms.CharField(
        max_length=2000,
        label=_("why the entry is reversed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: recorded twice by mistake."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry_date"].initial = clock.today


class PeriodForm(forms.Form):
    """The period of a disclosure sheet (default: this year) and, optionally, the days it is posted up (公示期)."""

    start = forms.DateField(label=_("from"), widget=date_input())
    end = forms.DateField(label=_("to"), widget=date_input())
    posted_from = forms.DateField(label=_("posted up from"), required=False, widget=date_input())
    posted_to = forms.DateField(label=_("posted up until"), required=False, widget=date_input())

    @staticmethod
    def this_year() -> dict:
        start, end = periods.year_range(clock.this_year())
        return {"start": start, "end": end}

    @classmethod
    def from_query(cls, query) -> PeriodForm:
        """Bound to the query string, with this year's dates filled in where none were given."""
        data = {**{k: v.isoformat() for k, v in cls.this_year().items()}}
        for key in ("start", "end", "posted_from", "posted_to"):
            if query.get(key):
                data[key] = query[key]
        return cls(data)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period cannot be before its start."))
        if data.get("posted_from") and data.get("posted_to") and data["posted_to"] < data["posted_from"]:
            self.add_error("posted_to", _("The last day cannot be before the first."))
        return data
