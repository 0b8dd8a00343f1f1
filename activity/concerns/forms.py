"""Forms for the 党情民意 pages: record a concern, relay it up, answer it, and filter the queue.

Every choice is limited to what the person may see; the rules themselves live in `activity.concerns.services`.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from activity.concerns.services import DEFAULT_DAYS_TO_ANSWER, LEVEL
from activity.models import Concern
from core import clock
from groups.models import VillagerGroup
from members.models import PartyMember

Handling = Concern.Handling


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors beside the fields they name; anything else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(None if target is None or field == NON_FIELD_ERRORS else target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _default_days(text) -> str:
    """A help text naming the default days to answer, translated when the form is made: a lazy text formatted
    where the class is defined would keep the language of the request that first imported this module."""
    return str(text) % {"b": DEFAULT_DAYS_TO_ANSWER[Handling.BRANCH], "t": DEFAULT_DAYS_TO_ANSWER[Handling.TOWNSHIP]}


class ConcernForm(forms.Form):
    """A new concern, in one village: the villager group and member choices are that village's own."""

    villager_group = forms.ModelChoiceField(label=_("villager group"), queryset=VillagerGroup.objects.none())
    raised_through = forms.ModelChoiceField(
        label=_("raised by or through (party member)"), queryset=PartyMember.objects.none()
    )
    villager_name = forms.CharField(label=_("villager's name (optional)"), max_length=30, required=False)
    raised_on = forms.DateField(label=_("raised on"), widget=_date_input())
    category = forms.ChoiceField(label=_("category"), choices=Concern.Category.choices, widget=forms.RadioSelect)
    content = forms.CharField(max_length=2000, label=_("what was said"), widget=forms.Textarea(attrs={"rows": 4}))
    handling = forms.ChoiceField(label=_("handling"), choices=Handling.choices, widget=forms.RadioSelect)
    due_on = forms.DateField(
        label=_("answer due by"),
        required=False,
        widget=_date_input(),  # its help text set per form (`_default_days`): in the language of the request
    )
    answer = forms.CharField(
        max_length=2000,
        label=_("answer given on the spot (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when handled on the spot: what the member answered or did. The concern is then resolved."),
    )
    settled_by_mediation = forms.BooleanField(
        label=_("a dispute settled by mediation: the parties made peace"), required=False
    )

    def __init__(self, *args, user, village, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("raised_on", clock.today())
        super().__init__(*args, **kwargs)
        self.village = village
        self.fields["due_on"].help_text = _default_days(
            _("Only for a relayed concern. Leave empty for %(b)d days (branch) or %(t)d days (township).")
        )
        self.fields["villager_group"].queryset = (
            VillagerGroup.objects.visible_to(user)
            .filter(village=village, abolished_on__isnull=True)
            .select_related("village")
            .order_by("number")
        )
        self.fields["villager_group"].label_from_instance = lambda vg: vg.name
        self.fields["raised_through"].queryset = (
            PartyMember.objects.visible_to(user).filter(village=village).in_party_on().order_by("name", "pk")
        )


class RelayForm(forms.Form):
    """Pass an open concern further up, with the date it must be answered by."""

    TARGETS = [(Handling.BRANCH, _("the village branch")), (Handling.TOWNSHIP, _("the township"))]

    to = forms.ChoiceField(label=_("relay to"), choices=())
    relayed_on = forms.DateField(label=_("relayed on"), widget=_date_input())
    due_on = forms.DateField(
        label=_("answer due by"),
        required=False,
        widget=_date_input(),  # its help text set per form (`_default_days`)
    )

    def __init__(self, *args, concern: Concern, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("relayed_on", clock.today())
        super().__init__(*args, prefix="relay", **kwargs)
        self.fields["due_on"].help_text = _default_days(
            _("Leave empty for %(b)d days (branch) or %(t)d days (township).")
        )
        self.fields["to"].choices = [(v, label) for v, label in self.TARGETS if LEVEL[v] > LEVEL[concern.handling]]
        self.fields["to"].initial = Handling.TOWNSHIP


class AnswerForm(forms.Form):
    """Resolve a concern: the answer (for a dispute, how it ended), who gave it, and when."""

    answer = forms.CharField(max_length=2000, label=_("answer or outcome"), widget=forms.Textarea(attrs={"rows": 4}))
    answered_by = forms.CharField(label=_("answered by"), max_length=50)
    resolved_on = forms.DateField(label=_("resolved on"), widget=_date_input())
    settled_by_mediation = forms.BooleanField(
        label=_("a dispute settled by mediation: the parties made peace"), required=False
    )

    def __init__(self, *args, concern: Concern, user, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("resolved_on", clock.today())
        initial.setdefault("answered_by", user.get_full_name() or user.get_username())
        super().__init__(*args, prefix="answer", **kwargs)
        if concern.category != Concern.Category.DISPUTE:
            del self.fields["settled_by_mediation"]


class ConcernFilterForm(forms.Form):
    """The queue's filter: which concerns, words to look for, and (where there are several) which village."""

    OPEN, TOWNSHIP, OVERDUE, RESOLVED, ALL = "open", "township", "overdue", "resolved", "all"
    SHOW_CHOICES = [
        (OPEN, _("open")),
        (TOWNSHIP, _("relayed to the township")),
        (OVERDUE, _("overdue")),
        (RESOLVED, _("resolved")),
        (ALL, _("all")),
    ]

    show = forms.ChoiceField(label=_("show"), choices=SHOW_CHOICES, required=False)
    q = forms.CharField(label=_("search"), required=False, max_length=50)
    village = forms.ModelChoiceField(label=_("village"), queryset=None, required=False, empty_label=_("all villages"))

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages.order_by("township__name", "name")
