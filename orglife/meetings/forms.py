"""Forms of the meetings pages: they read what people type; the rules are in `orglife.meetings.services`.

The meeting form carries one select per member (出席 by default, so a secretary changes only the exceptions): its
value says present, remote, absent with the reason, or not expected (不应到, left out of 应到)."""

from __future__ import annotations

import datetime

from django import forms

from core import clock
from members.models import PartyMember
from orglife.meetings.models import AbsenceReason, Kind, OrgLifeSettings, Presence
from orglife.meetings.services import Mark

NOT_EXPECTED = "none"
MARK_CHOICES = [
    (Presence.PRESENT, "出席"),
    (Presence.REMOTE, "远程参加"),
    *[(f"absent:{value}", f"缺席·{label}") for value, label in AbsenceReason.choices],
    (NOT_EXPECTED, "不应到"),
]


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class MeetingForm(forms.Form):
    held_on = forms.DateField(label="日期", widget=date_input())
    place = forms.CharField(label="地点", max_length=100, required=False)
    host = MemberChoice(label="主持人", queryset=PartyMember.objects.none(), required=False, empty_label="请选择…")
    recorder = MemberChoice(label="记录人", queryset=PartyMember.objects.none(), required=False, empty_label="请选择…")
    talk_with = MemberChoice(label="谈话对象", queryset=PartyMember.objects.none(), empty_label="请选择…")
    topic = forms.CharField(label="议题", max_length=200)
    content = forms.CharField(label="内容", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    decisions = forms.CharField(
        label="决定事项", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    study_hours = forms.DecimalField(
        label="计入学时", min_value=0, max_value=24, decimal_places=1, help_text="参加者每人计入的学习学时。"
    )

    def __init__(
        self,
        *args,
        kind: str,
        members,
        expected_ids: set[int],
        people=None,
        fixed: bool = False,
        strangers: str = "",
        away: dict[int, str] | None = None,
        **kwargs,
    ):
        """`members`: whose attendance is asked; `people`: who may host, record or be talked with (the members by
        default); `fixed`: everyone offered is expected (a 支委会: the committee in office), so 不应到 is not offered;
        `strangers`: what to say when the attendance names someone not offered; `away`: the members away (流动党员)
        on the day, by id, with where: expected ones are 缺席·外出务工 by default rather than 出席, and say where."""
        away = away or {}
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.members = list(members)
        self.strangers = strangers or "出席名单里有不是本支部的党员：请只登记本支部党员的出席情况。"
        choices = [c for c in MARK_CHOICES if c[0] != NOT_EXPECTED] if fixed else MARK_CHOICES
        people = self.members if people is None else people
        for name in ("host", "recorder", "talk_with"):
            self.fields[name].queryset = PartyMember.objects.filter(pk__in=[m.pk for m in people]).order_by("name")
        if kind == Kind.TALK:
            self.fields["host"].label = "谈话人"
            self.fields["host"].required = True
            for name in ("place", "recorder", "decisions", "study_hours"):
                del self.fields[name]
            self.fields["topic"].label = "谈话主题"
            self.fields["content"].label = "谈话内容（仅谈话双方和支部书记可见）"
        else:
            del self.fields["talk_with"]
        self.mark_fields = []
        if kind != Kind.TALK:
            for m in self.members:
                name = f"p_{m.pk}"
                default = Presence.PRESENT if m.pk in expected_ids else NOT_EXPECTED
                if m.pk in away and default == Presence.PRESENT:
                    default = f"absent:{AbsenceReason.AWAY_WORK}"
                tags = [getattr(m, "post_label", "")]
                tags.append("预备党员" if m.status == PartyMember.Status.PROBATIONARY else "")
                tags.append(f"外出：{away[m.pk]}" if m.pk in away else "")
                tag = f"（{'，'.join(filter(None, tags))}）" if any(tags) else ""
                self.fields[name] = forms.ChoiceField(
                    label=f"{m.name}{tag}", choices=choices, initial=default, required=False
                )
                self.mark_fields.append(name)

    def attendance_fields(self):
        return [self[name] for name in self.mark_fields]

    def non_attendance_fields(self):
        return [self[name] for name in self.fields if name not in self.mark_fields]

    def clean(self):
        data = super().clean()
        offered = {f"p_{m.pk}" for m in self.members}
        strangers = [k for k in self.data if k.startswith("p_") and k not in offered]
        if strangers:
            self.add_error(None, self.strangers)
        held_on = data.get("held_on")
        if isinstance(held_on, datetime.date) and held_on > clock.today():
            self.add_error("held_on", "会议日期不能晚于今天：请填已经开过的会议的日期。")
        return data

    def marks(self) -> list[Mark]:
        out = []
        for m in self.members:
            value = self.cleaned_data.get(f"p_{m.pk}") or NOT_EXPECTED
            if value == NOT_EXPECTED:
                continue
            if value.startswith("absent:"):
                out.append(Mark(member=m, presence=Presence.ABSENT, reason=value.split(":", 1)[1]))
            else:
                out.append(Mark(member=m, presence=value))
        return out

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.mark_fields}
        data["marks"] = self.marks()
        return data


def mark_of(attendance) -> str:
    """The attendance select's value for a recorded attendance row."""
    if attendance.presence == Presence.ABSENT:
        return f"absent:{attendance.reason}"
    return attendance.presence


class DeleteForm(forms.Form):
    reason = forms.CharField(
        label="删除理由",
        max_length=90,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：重复登记、日期记错已另行登记。理由和删除人、删除时间一起留档。",
        error_messages={"required": "请写明删除的理由。", "max_length": "理由请写在90个字以内。"},
    )


class VoteForm(forms.Form):
    subject = forms.CharField(label="表决事项", max_length=200)
    votes_for = forms.IntegerField(label="赞成票", min_value=0, max_value=10000)
    votes_against = forms.IntegerField(label="反对票", min_value=0, max_value=10000, initial=0)
    abstaining = forms.IntegerField(label="弃权票", min_value=0, max_value=10000, initial=0)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = OrgLifeSettings
        fields = ["assembly", "committee", "group", "lecture", "theme_day", "life", "talk", "study_hours_target"]


class MonthField(forms.DateField):
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    default_error_messages = {"invalid": "请按“2027-06”的样子填月份。"}


class ThemeForm(forms.Form):
    month = MonthField(label="月份")
    title = forms.CharField(label="主题", max_length=200)
    materials = forms.CharField(
        label="学习材料和要求", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
