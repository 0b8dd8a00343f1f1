"""Validators for what people type about members: ID numbers (GB 11643-1999) and mobile phone numbers."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import clock

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: str) -> str:
    """Spaces removed, full-width digits made half-width, the check letter upper-case."""
    return "".join((value or "").split()).translate(FULLWIDTH).upper()


def id_birth_date(value: str) -> datetime.date | None:
    """The birth date written in an 18-character ID number, or None if it is not a real date."""
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except (ValueError, IndexError):
        return None


def id_sex(value: str) -> str:
    """'M' or 'F' from the 17th character (odd for men, even for women)."""
    return "M" if int(value[16]) % 2 else "F"


def validate_id_number(value: str) -> None:
    """An 18-character resident ID number with a valid date and check character."""
    value = normalise_id_number(value)
    if len(value) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(n)d. Check for a missing or extra digit."),
            code="id_length",
            params={"n": len(value)},
        )
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("An ID number is 17 digits followed by a digit or the letter X."), code="id_characters")
    born = id_birth_date(value)
    if born is None or born.year < 1900 or born > clock.today():
        raise ValidationError(
            _("Characters 7–14 of an ID number are the birth date (YYYYMMDD); %(d)s is not a real date."),
            code="id_date",
            params={"d": value[6:14]},
        )
    expected = id_check_digit(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _(
                "The last character (check digit) of this ID number is wrong: it should be %(c)s. "
                "Check every digit against the ID card."
            ),
            code="id_check_digit",
            params={"c": expected},
        )


PHONE_SEPARATORS = str.maketrans("", "", " \t\u3000-‐‑‒–—－()（）.")


def normalise_phone(value: str | None) -> str:
    """A phone number as it is kept: full-width digits read as ordinary ones, spaces, dashes, brackets and dots (as
    people write 138-0000-1234, 138 0000 1234 or (0831) 1234567) taken out before it is checked."""
    return (value or "").translate(FULLWIDTH).translate(PHONE_SEPARATORS)


def validate_phone(value: str) -> None:
    """An 11-digit mainland mobile number, or a landline with its area code (separators are read as normalise_phone
    reads them)."""
    digits = normalise_phone(value)
    if PHONE_RE.match(digits) or re.match(r"^0\d{2,3}-?\d{7,8}$", digits):
        return
    raise ValidationError(
        _("Enter an 11-digit mobile number starting with 1 (e.g. 13800001234), or a landline with its area code."),
        code="phone",
    )
