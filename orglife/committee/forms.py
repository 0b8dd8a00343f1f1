"""Forms of the committee page: they read what people type; the rules are in `orglife.committee.services`."""

from __future__ import annotations

from django import forms

from core import clock
from members.models import PartyMember
from orglife.committee.models import CommitteeSeat

DATE_ERRORS = {"required": "请填写日期。", "invalid": "日期格式不对：请用日历选择日期。"}


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class SeatForm(forms.Form):
    member = MemberChoice(
        label="党员",
        queryset=PartyMember.objects.none(),
        empty_label="请选择党员",
        error_messages={
            "required": "请选择担任支部委员的党员。",
            "invalid_choice": "支部委员只能从本支部党员中选：请从列表中选择。",
        },
    )
    post = forms.ChoiceField(
        label="职务",
        choices=[("", "请选择职务"), *CommitteeSeat.Post.choices],
        error_messages={"required": "请选择职务。", "invalid_choice": "请从列表中选择职务。"},
    )
    started_on = forms.DateField(
        label="任职日期", widget=date_input(), error_messages=DATE_ERRORS, help_text="选举或任命生效的日期。"
    )
    ended_on = forms.DateField(
        label="离任日期",
        required=False,
        widget=date_input(),
        help_text="不再担任的第一天；还在任就留空。",
        error_messages=DATE_ERRORS,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["started_on"].initial = clock.today


class EndForm(forms.Form):
    ended_on = forms.DateField(label="离任日期", widget=date_input(), error_messages=DATE_ERRORS)
