"""The member form: every field listed, ID and phone numbers normalised before validation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import PartyMember
from members.validators import normalise_id_number, normalise_phone


class PartyMemberForm(forms.ModelForm):
    class Meta:
        model = PartyMember
        fields = [
            "village",
            "name",
            "sex",
            "birth_date",
            "id_number",
            "phone",
            "joined_on",
            "status",
            "is_former_cadre",
            "is_old_member",
            "is_shuangdai",
            "left_on",
            "notes",
            # the national record (members/national.py)
            "ethnicity",
            "education",
            "category",
            "joined_on_precision",
            "full_member_on",
            "full_member_on_precision",
            "work_post",
            "home_address",
        ]
        widgets = {
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 20}),
            "phone": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 20, "inputmode": "tel"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "home_address": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 200}),
        }
        help_texts = {"id_number": _("18 characters; the last may be X.")}

    def clean_id_number(self):
        return normalise_id_number(self.cleaned_data["id_number"])

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])
