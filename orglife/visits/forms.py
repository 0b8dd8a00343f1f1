"""Forms of the visit pages: they read what people type; the rules are in `orglife.visits.services`."""

from __future__ import annotations

from django import forms

from activity.models import Concern
from core import clock
from groups.models import PartyGroup, VillagerGroup
from members.models import PartyMember
from township.models import Village

DATE_ERRORS = {"required": "请填写日期。", "invalid": "日期格式不对：请用日历选择日期。"}


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VillageChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class VisitForm(forms.Form):
    village = VillageChoice(
        label="走访的村",
        queryset=Village.objects.none(),
        empty_label="请选择村",
        error_messages={"required": "请选择走访的村。", "invalid_choice": "只能选您能看到的村：请重新选择。"},
    )
    party_groups = forms.ModelMultipleChoiceField(
        label="走访的党小组",
        queryset=PartyGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="见到了哪几个党小组的党员就选哪几个；只见了村支部可不选。",
        error_messages={"invalid_choice": "所选党小组不属于这个村：请先选村，再选本村的党小组。"},
    )
    visited_on = forms.DateField(label="走访日期", widget=date_input(), error_messages=DATE_ERRORS)
    met = forms.CharField(
        label="见了谁",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：党小组长谢明德、老党员唐兴国和3户群众。",
        error_messages={"required": "请写明见了谁。"},
    )
    learned = forms.CharField(
        label="了解到的情况",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="党员和群众的思想、学习、工作、生活情况。",
        error_messages={"required": "请写明了解到的情况。"},
    )
    problem_1 = forms.CharField(
        label="帮助解决的问题（一）", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    problem_2 = forms.CharField(
        label="帮助解决的问题（二）", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    problem_3 = forms.CharField(
        label="帮助解决的问题（三）", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, villages, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["party_groups"].queryset = groups
        self.fields["visited_on"].initial = clock.today

    def problems(self) -> list[str]:
        return [self.cleaned_data.get(f"problem_{k}", "") for k in (1, 2, 3)]


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(
        label="跟进情况",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请写明跟进了什么、结果如何。"},
    )
    resolved_on = forms.DateField(
        label="解决日期", required=False, widget=date_input(), help_text="还没解决就留空。", error_messages=DATE_ERRORS
    )


class ToConcernForm(forms.Form):
    villager_group = forms.ModelChoiceField(
        label="村民小组",
        queryset=VillagerGroup.objects.none(),
        empty_label="请选择村民小组",
        error_messages={"required": "请选择问题所在的村民小组。", "invalid_choice": "请选本村的村民小组。"},
    )
    raised_through = forms.ModelChoiceField(
        label="经由哪名党员反映",
        queryset=PartyMember.objects.none(),
        empty_label="请选择党员",
        error_messages={"required": "请选择反映问题或陪同走访的党员。", "invalid_choice": "请选本村的党员。"},
    )
    category = forms.ChoiceField(
        label="类别",
        choices=[("", "请选择类别"), *Concern.Category.choices],
        error_messages={"required": "请选择类别。"},
    )
    due_on = forms.DateField(
        label="答复期限",
        required=False,
        widget=date_input(),
        help_text="留空按乡党委的默认期限。",
        error_messages=DATE_ERRORS,
    )

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["villager_group"].queryset = VillagerGroup.objects.filter(
            village=village, abolished_on__isnull=True
        )
        self.fields["raised_through"].queryset = (
            PartyMember.objects.filter(village=village).in_party_on().order_by("name", "pk")
        )


class ContactPointForm(forms.Form):
    member = forms.ModelChoiceField(
        label="乡党委委员",
        queryset=None,
        empty_label="请选择委员",
        error_messages={"required": "请选择委员。", "invalid_choice": "只能选本乡党委委员：请重新选择。"},
    )
    village = VillageChoice(
        label="联系的村",
        queryset=Village.objects.none(),
        empty_label="请选择村",
        error_messages={"required": "请选择联系的村。", "invalid_choice": "只能选本乡的村。"},
    )
    party_group = forms.ModelChoiceField(
        label="联系的党小组",
        queryset=PartyGroup.objects.none(),
        required=False,
        empty_label="整个村",
        help_text="只联系一个党小组时选上；留空表示联系整个村。",
        error_messages={"invalid_choice": "只能选本乡的党小组。"},
    )
    started_on = forms.DateField(label="起始日期", widget=date_input(), error_messages=DATE_ERRORS)

    def __init__(self, *args, members, villages, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["village"].queryset = villages
        self.fields["party_group"].queryset = groups
        self.fields["party_group"].label_from_instance = lambda g: f"{g.village.name} · {g.name}"
        self.fields["started_on"].initial = clock.today


class EndForm(forms.Form):
    ended_on = forms.DateField(label="截止日期", widget=date_input(), error_messages=DATE_ERRORS)
