"""Forms of the dues pages: they read what people type; the rules are in `dues.services`."""

from __future__ import annotations

from django import forms

from core import clock, periods
from core.forms import YuanField
from dues.models import Category, Frequency
from members.models import PartyMember


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MonthField(forms.DateField):
    """A month typed as 2027-06 (the browser's month picker), 2027-06-01 or 2027年6月; the value is its first day."""

    input_formats = ["%Y-%m", "%Y-%m-%d", "%Y年%m月"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    default_error_messages = {"invalid": "请按“2027-06”的样子填月份。"}

    def to_python(self, value):
        day = super().to_python(value)
        return periods.month_of(day) if day else day


class AssessmentForm(forms.Form):
    category = forms.ChoiceField(label="类别", choices=[("", "请选择…"), *Category.choices])
    base = YuanField(
        label="月收入或离退休费（元）",
        required=False,
        allow_zero=True,
        help_text="在职党员填税后月工资收入，离退休党员填月离退休费；其他类别留空。",
        error_messages={"negative": "金额不能是负数：请去掉负号。"},
    )
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="如：支委会2027年1月8日决定免交。")


class PaymentForm(forms.Form):
    member = forms.ModelChoiceField(label="党员", queryset=PartyMember.objects.none(), empty_label="请选择党员")
    first_month = MonthField(label="从哪个月起", help_text="补交欠费选欠交的第一个月；预交选下个月。")
    months = forms.IntegerField(label="交几个月", min_value=1, max_value=24, initial=1)
    amount = YuanField(
        label="应交党费（元）",
        required=False,
        allow_zero=True,
        help_text="按月份先后抵交，不能超过这几个月还欠的金额。",
        error_messages={"negative": "金额不能是负数：交错了的收据请用“冲销”更正。"},
    )
    voluntary = YuanField(
        label="自愿多交（元）",
        required=False,
        allow_zero=True,
        help_text="党员自愿多交的部分单独记录，不抵以后月份。",
        error_messages={"negative": "金额不能是负数。"},
    )
    paid_on = forms.DateField(label="交纳日期", widget=date_input())
    received_by = forms.CharField(label="收款人", max_length=30, help_text="党小组长或支部书记的姓名。")

    def __init__(self, *args, village, members=None, frequency: str = "monthly", **kwargs):
        super().__init__(*args, **kwargs)
        # Whoever may still owe the branch, less those whose membership is suspended today (停止党籍: no dues).
        offered = (
            PartyMember.objects.filter(village=village).with_state_on().exclude(state_on=PartyMember.Status.SUSPENDED)
        )
        if members is not None:  # a party group's leader: only their group's members
            offered = offered.filter(pk__in=[m.pk for m in members])
            self.fields["received_by"].help_text = "收款的党小组长的姓名。"
        self.fields["member"].queryset = offered.order_by("name", "pk")
        self.fields["member"].error_messages["invalid_choice"] = "请从列表中选择本组（本支部）的党员。"
        self.fields["paid_on"].initial = clock.today
        if frequency == "quarterly":
            self.fields["months"].initial = 3
            self.fields["months"].help_text = "本乡按季收缴：一季度交3个月。"

    def clean_amount(self):
        return self.cleaned_data.get("amount") or None

    def clean(self):
        data = super().clean()
        for key in ("amount", "voluntary"):
            if data.get(key) is None:
                data[key] = 0
        return data


class ReverseForm(forms.Form):
    reason = forms.CharField(label="冲销原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class RemittanceForm(forms.Form):
    period_start = forms.ChoiceField(label="所属期")
    remitted_on = forms.DateField(label="上缴日期", widget=date_input())

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_start"].choices = [("", "请选择…")] + choices
        self.fields["remitted_on"].initial = clock.today

    def clean_period_start(self):
        import datetime

        try:
            return datetime.date.fromisoformat(self.cleaned_data["period_start"])
        except ValueError:
            raise forms.ValidationError("请选择所属期。") from None


class ReceiveForm(forms.Form):
    received_on = forms.DateField(label="收到日期", widget=date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = clock.today


class ExcuseForm(forms.Form):
    member = forms.ModelChoiceField(label="党员", queryset=PartyMember.objects.none(), empty_label="请选择党员")
    first_month = MonthField(label="起始月份")
    last_month = MonthField(label="截止月份")
    reason = forms.CharField(label="正当理由", max_length=200, help_text="如：在外务工，已联系，约定年底补交。")

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = PartyMember.objects.filter(village=village).order_by("name", "pk")


class RemittanceReverseForm(forms.Form):
    reason = forms.CharField(
        label="冲销原因",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：所属期选错了；登记了但实际没有上缴。",
    )


class TownshipRuleForm(forms.Form):
    valid_from = MonthField(
        label="从哪个月起用",
        help_text="过去和本月的党费按原规定计算，改动从下个月或以后起用。",
        error_messages={"required": "请填从哪个月起用，例如 2027-07。"},
    )
    farmer_amount = YuanField(
        label="农牧渔民党员每月交纳（元）",
        allow_zero=True,
        help_text="按规定每月0.2元至1元。",
        error_messages={
            "negative": "金额不能是负数：请填0.20到1.00之间的金额。",
            "required": "请填农牧渔民党员每月交纳的金额（0.20到1.00元）。",
        },
    )
    frequency = forms.ChoiceField(
        label="收缴和上缴周期", choices=Frequency.choices, error_messages={"required": "请选择按月或按季。"}
    )
    remit_due_day = forms.IntegerField(
        label="上缴期限（下期第几日前）",
        min_value=1,
        max_value=28,
        help_text="每期结束后，支部在下个月的这一天前上缴乡党委。",
        error_messages={
            "min_value": "上缴期限请填1到28之间的日子。",
            "max_value": "上缴期限请填1到28之间的日子。",
            "invalid": "上缴期限请填1到28之间的日子。",
            "required": "上缴期限请填1到28之间的日子。",
        },
    )

    @staticmethod
    def next_month():
        return periods.next_month(clock.this_month())
