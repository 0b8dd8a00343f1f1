"""The member form: every field listed, ID and phone numbers normalised before validation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import PartyMember
from members.validators import FULLWIDTH, normalise_id_number


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
        ]
        widgets = {
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 20}),
            "phone": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 20, "inputmode": "tel"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"id_number": _("18 characters; the last may be X.")}

    def clean_id_number(self):
        return normalise_id_number(self.cleaned_data["id_number"])

    def clean_phone(self):
        return "".join(self.cleaned_data["phone"].split()).translate(FULLWIDTH)


class ImportForm(forms.Form):
    """The roster file to import: an .xlsx, at most 5 MB by default (what is inside is checked by members.importing)."""

    file = forms.FileField(
        label=_("Roster file (.xlsx)"),
        help_text=_("Fill in the template, one member a row. Nothing is saved until you confirm the preview."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        """Only an .xlsx name and at most ROSTER_IMPORT_MAX_BYTES, checked before the file is read into memory."""
        from members.importing import max_bytes, too_large_message

        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _(
                    "Only an Excel workbook (.xlsx) can be imported. If the roster is an .xls, .csv or WPS file, open "
                    "it and save it as “Excel workbook (*.xlsx)”, then upload that."
                ),
                code="not_xlsx",
            )
        if upload.size > max_bytes():
            raise forms.ValidationError(too_large_message(), code="too_large")
        return upload
