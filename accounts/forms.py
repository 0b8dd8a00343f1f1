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


class UnlockForm(forms.Form):
    """Lift one's own lockout with the phone app: the user name and the six digits the app shows now."""

    username = forms.CharField(
        label="用户名", max_length=150, error_messages={"required": "请填写被锁定的用户名（登录时填的那个）。"}
    )
    code = forms.CharField(
        label="手机验证器应用中的六位数字",
        max_length=20,
        error_messages={"required": "请填写手机验证器应用当前显示的六位数字。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "off"})
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "spellcheck": "false"}
        )
