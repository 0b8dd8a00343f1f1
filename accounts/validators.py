"""Password rules beyond Django's own: at least three of the four character classes (等保 8.1.4.1)."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    lambda c: c in string.ascii_uppercase,
    lambda c: c in string.ascii_lowercase,
    lambda c: c.isdigit(),
    lambda c: not c.isalnum(),
)


class CharacterClassesValidator:
    """Upper-case letters, lower-case letters, digits and other characters: at least `min_classes` of them."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        used = sum(1 for test in CLASSES if any(test(c) for c in password))
        if used < self.min_classes:
            raise ValidationError(
                _(
                    "The password must mix at least %(n)d of these: capital letters, small letters, digits, "
                    "other characters (such as - or @)."
                )
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _(
            "Use at least %(n)d of these: capital letters, small letters, digits, other characters (such as - or @)."
        ) % {"n": self.min_classes}
