"""Form fields shared by every app. `YuanField` is the one way a yuan amount is typed in: ledger entries, projects,
award amounts and the township's fund-decision threshold (the admin uses it too, through `money_fields`)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
# 1000, 1000.5, 1,000.50 — ASCII digits only, commas in threes, no sign, no exponent.
_PLAIN_AMOUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?$", re.ASCII)
_MINUS = {"-", "−", "–", "—"}


class YuanField(forms.CharField):
    """A yuan amount typed as people write it: "1000", "1,000.50", " 100 " (a trailing 元 or a leading ¥ is fine).

    Full-width digits and punctuation (１００，１,０００．５０ — what a Chinese input method in full-width mode types)
    are read as their ordinary forms, as ID and phone numbers are. Everything else that is not a plain amount is
    answered in words next to the field: a minus sign, an exponent (1e3), more than two decimal places, zero (unless
    `allow_zero`), too many digits. The value is an exact Decimal with two places, never a float.
    """

    default_error_messages = {
        "negative": _("An amount cannot be negative: type it without a minus sign."),
        "invalid": _("Type the amount in yuan with digits only, for example 1000 or 1,000.50."),
        "zero": _("The amount must be more than zero."),
        "decimal_places": _("A yuan amount has at most two decimal places (fen), for example 12.35."),
        "max_value": _("The amount is too large."),
    }

    def __init__(self, *, allow_zero: bool = False, max_digits: int = 12, decimal_places: int = 2, **kwargs):
        if decimal_places != 2:
            raise ValueError("YuanField is for yuan amounts with two decimal places (fen).")
        self.allow_zero = allow_zero
        self.max_amount = Decimal(10) ** (max_digits - decimal_places) - CENT
        kwargs.pop("max_length", None)  # CharField's length validator would run on the Decimal; the pattern bounds it
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "amount", "maxlength": 24}),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value.quantize(CENT):.2f}"
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        text = unicodedata.normalize("NFKC", text).strip().removesuffix("元").lstrip("¥￥").strip()
        if text[:1] in _MINUS:
            raise ValidationError(self.error_messages["negative"], code="negative")
        if len(text) > 40 or not _PLAIN_AMOUNT.match(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        amount = Decimal(text.replace(",", ""))
        if amount > self.max_amount:  # before quantize: 27 digits and the fen exceed Decimal's 28-digit precision
            raise ValidationError(self.error_messages["max_value"], code="max_value")
        if amount != amount.quantize(CENT):
            raise ValidationError(self.error_messages["decimal_places"], code="decimal_places")
        if amount == 0 and not self.allow_zero:
            raise ValidationError(self.error_messages["zero"], code="zero")
        return amount.quantize(CENT)
