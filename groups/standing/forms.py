"""The forms of the standing pages; each hands its cleaned data to a service, which has the rules."""

from __future__ import annotations

from django import forms

from groups.standing.services import RECORDABLE
from members.away.models import AwayContact, AwaySpell
from members.models import PartyMember
from members.standing.models import ReviewHandling
from members.validators import normalise_phone, validate_phone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # the form a date field reads


class ChineseBlank:
    """A choice field's empty choice says 请选择 (Django's default is a row of dashes)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if isinstance(f, forms.TypedChoiceField) and f.choices and f.choices[0][0] == "":
                f.choices = [("", "请选择…")] + list(f.choices)[1:]


class StandingChangeForm(forms.Form):
    kind = forms.ChoiceField(label="变动类别", choices=[("", "请选择…")] + [(k.value, k.label) for k in RECORDABLE])
    on = forms.DateField(label="日期", widget=DATE)
    decision = forms.CharField(
        label="决定", max_length=200, required=False, help_text="如：支部大会决议、乡党委批复（转正、延长、出党等须填）"
    )
    document_no = forms.CharField(label="文号", max_length=60, required=False)
    organisation = forms.CharField(
        label="转出（转入）党组织", max_length=100, required=False, help_text="组织关系转接时填写对方党组织的全称"
    )
    letter_no = forms.CharField(label="介绍信编号", max_length=60, required=False, help_text="组织关系转接时填写")
    probation_until = forms.DateField(
        label="延长后的预备期满日期", required=False, widget=DATE, help_text="仅延长预备期时填写，最长延长一年"
    )
    notes = forms.CharField(label="说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AwayForm(forms.ModelForm):
    class Meta:
        model = AwaySpell
        fields = [
            "province",
            "city",
            "workplace",
            "fixed_workplace",
            "since",
            "phone",
            "contact_person",
            "remote_participation",
        ]
        widgets = {
            "since": DATE,
            "phone": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 20, "inputmode": "tel"}),
        }

    def __init__(self, *args, member: PartyMember, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_person"].queryset = (
            PartyMember.objects.filter(village_id=member.village_id, status__in=["full", "probationary"])
            .exclude(pk=member.pk)
            .order_by("name", "pk")
        )
        self.fields["contact_person"].empty_label = "请选择…"

    def clean_phone(self):
        phone = normalise_phone(self.cleaned_data.get("phone"))
        if phone:
            validate_phone(phone)
        return phone


class ReturnForm(forms.Form):
    returned_on = forms.DateField(label="返回日期", widget=DATE)


class ContactForm(ChineseBlank, forms.ModelForm):
    class Meta:
        model = AwayContact
        fields = ["on", "how", "what"]
        widgets = {"on": DATE, "what": forms.Textarea(attrs={"rows": 3})}


class HandlingForm(ChineseBlank, forms.ModelForm):
    class Meta:
        model = ReviewHandling
        fields = ["measure", "decided_on", "deadline", "decision", "document_no"]
        widgets = {"decided_on": DATE, "deadline": DATE}


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = ReviewHandling
        fields = ["result", "result_on", "result_notes"]
        widgets = {"result_on": DATE, "result_notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].required = True
        self.fields["result_on"].required = True
        self.fields["result"].choices = [("", "请选择…")] + list(ReviewHandling.Result.choices)


class CountsOnForm(forms.Form):
    on = forms.DateField(label="统计日期", widget=DATE)
