"""The one field of the two-factor pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        error_messages={"required": _("Type the code: the six digits shown in the phone app.")},
    )

    def __init__(self, *args, digits_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        attrs = {"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false", "autocapitalize": "off"}
        if digits_only:  # a phone shows its number pad; recovery codes (letters) are typed on the code page only
            attrs.update(inputmode="numeric", pattern="[0-9 ]*")
        self.fields["code"].widget.attrs.update(attrs)
