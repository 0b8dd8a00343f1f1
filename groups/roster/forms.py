"""The roster upload form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.roster.importing import max_bytes, too_large_message


class ImportForm(forms.Form):
    """The roster file to import: an .xlsx, at most 5 MB by default (its content is checked by `importing`)."""

    file = forms.FileField(
        label=_("Roster file (.xlsx)"),
        help_text=_("Fill in the template, one member a row. Nothing is saved until you confirm the preview."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, refused: bool = False, **kwargs):
        """`refused`: the upload handler dropped the file for its size before it was stored (core.uploads)."""
        super().__init__(*args, **kwargs)
        self.refused = refused
        if refused:
            self.fields["file"].required = False

    def clean(self):
        if self.refused:
            self.add_error("file", forms.ValidationError(too_large_message(), code="too_large"))
        return super().clean()

    def clean_file(self):
        """Only an .xlsx name and at most ROSTER_IMPORT_MAX_BYTES, checked before the file is read into memory."""
        upload = self.cleaned_data["file"]
        if upload is None:  # dropped for its size (see `clean`)
            return upload
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
