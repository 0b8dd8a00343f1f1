"""Forms of the post pages: they read what people type; the rules are in `orglife.posts.services`."""

from __future__ import annotations

from django import forms

from activity.models import Activity
from core import clock
from core.words import day_cn
from groups.models import VillagerGroup
from members.models import PartyMember
from orglife.posts.models import DutyPost

DATE_ERRORS = {"required": "请填写日期。", "invalid": "日期格式不对：请用日历选择日期。"}


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PostForm(forms.Form):
    kind = forms.ChoiceField(
        label="岗位类别",
        choices=[("", "请选择类别"), *DutyPost.Kind.choices],
        error_messages={"required": "请选择类别。"},
    )
    title = forms.CharField(
        label="岗位名称",
        max_length=50,
        help_text="如：3社联系农户岗。",
        error_messages={"required": "请给岗位起个名称。"},
    )
    villager_group = forms.ModelChoiceField(
        label="所在村民小组",
        queryset=VillagerGroup.objects.none(),
        required=False,
        empty_label="全村",
        error_messages={"invalid_choice": "请选本村的村民小组。"},
    )
    households = forms.CharField(
        label="联系的农户",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="联系农户岗写明各户户主，用顿号隔开。",
    )
    duties = forms.CharField(
        label="岗位职责",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请写明这个岗位做什么。"},
    )

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["villager_group"].queryset = VillagerGroup.objects.filter(
            village=village, abolished_on__isnull=True
        )


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class AssignForm(forms.Form):
    member = MemberChoice(
        label="党员",
        queryset=PartyMember.objects.none(),
        empty_label="请选择党员",
        error_messages={
            "required": "请选择上岗的党员。",
            "invalid_choice": "只能安排本支部的党员上岗：请从列表中选择。",
        },
    )
    started_on = forms.DateField(label="上岗日期", widget=date_input(), error_messages=DATE_ERRORS)
    ended_on = forms.DateField(
        label="离岗日期",
        required=False,
        widget=date_input(),
        help_text="不再担任这个岗位的第一天；一直在岗就留空。",
        error_messages=DATE_ERRORS,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["started_on"].initial = clock.today


class EndForm(forms.Form):
    ended_on = forms.DateField(label="离岗日期", widget=date_input(), error_messages=DATE_ERRORS)


class ActivityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{day_cn(obj.held_on)} {obj.get_kind_display()} · {obj.report.party_group.name} · {obj.content[:20]}"


class CreditForm(forms.Form):
    activity = ActivityChoice(
        label="这个月做的事",
        queryset=Activity.objects.none(),
        empty_label="请选择活动",
        error_messages={
            "required": "请选择要记在岗位上的活动。",
            "invalid_choice": "只能选这名党员在岗期间参加的、还没记上的活动。",
        },
    )
    note = forms.CharField(
        label="履职说明", max_length=200, required=False, help_text="如：走访联系户3户，宣讲医保政策。"
    )

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities
