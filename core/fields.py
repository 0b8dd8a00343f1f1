"""Model fields for personal data at rest: Fernet-encrypted text and a keyed look-up hash beside it.

Keys come from settings (FIELD_ENCRYPTION_KEYS, FIELD_HASH_KEY), which read them from the environment; they are never
stored in the database. Rotation: put the new key first in FIELD_ENCRYPTION_KEYS and keep the old ones after it; values
written with an old key stay readable, and `manage.py rotate_field_keys` (later) re-encrypts them with the new key.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be comma-separated Fernet keys (32 bytes, urlsafe base64)"
        ) from exc


def fernet() -> MultiFernet:
    """The MultiFernet for the keys in force now (first key encrypts, every key decrypts)."""
    if not settings.FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is not set: ID and phone numbers cannot be read or written")
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def lookup_hash(value: str | None) -> str | None:
    """HMAC-SHA256 of a normalised value, for uniqueness and exact look-up without decrypting; None for blank."""
    normalised = normalise(value)
    if not normalised:
        return None
    if not settings.FIELD_HASH_KEY:
        raise ImproperlyConfigured("FIELD_HASH_KEY is not set: look-up hashes cannot be computed")
    return hmac.new(settings.FIELD_HASH_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def normalise(value: str | None) -> str:
    """Strip spaces and upper-case (an ID number's check letter X is written either way)."""
    return "".join((value or "").split()).upper()


class EncryptedTextField(models.TextField):
    """Text stored encrypted with Fernet; the Python value is the plain text. Cannot be filtered on: use the hash."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return fernet().decrypt(value.encode()).decode()
        except InvalidToken as exc:
            raise ImproperlyConfigured(
                f"{self.model.__name__}.{self.name}: stored value cannot be decrypted with FIELD_ENCRYPTION_KEYS"
            ) from exc

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return fernet().encrypt(value.encode()).decode()


class LookupHashField(models.CharField):
    """The keyed hash of another field of the same row, recomputed on every save (bulk_create included)."""

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def db_type(self, connection):
        """A hash is looked up whole, never by its beginning (LIKE). On PostgreSQL Django gives an indexed or unique
        column typed `varchar` a second, pattern-matching index (`…_like`, varchar_pattern_ops: ~11 MB a column at
        the province preset, kept up to date on every insert); spelled `character varying`, the same type, it gets
        only the index asked for (members/migrations/0010 drops the ones made before)."""
        if connection.vendor == "postgresql":
            return f"character varying({self.max_length})"
        return super().db_type(connection)

    def pre_save(self, model_instance, add):
        value = lookup_hash(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


class MaskedCopyField(models.CharField):
    """What everyone may see of another field of the same row (`mask_id_number` or `mask_phone` of it), kept beside
    the encrypted value and recomputed on every save (bulk_create included), so that long lists and exports show the
    masked number without decrypting one value per row. It holds no more than every list shows: the full number
    stays encrypted, for those who may reveal it."""

    def __init__(self, *args, source: str, mask: str, **kwargs):
        if mask not in MASKS:
            raise ValueError(f"unknown mask {mask!r}")
        self.source, self.mask = source, mask
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["mask"] = self.source, self.mask
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = masked(self.mask, getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def mask(value: str | None, keep_start: int, keep_end: int) -> str:
    """The characters in between replaced by "*": the shared step of `mask_id_number` and `mask_phone`."""
    value = value or ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


# --- what may be shown of personal data (PIPL art. 51) ---------------------------------------------------------------
#
# An ID number is 6 region digits, the birth date, a 3-digit sequence (odd for men) and a check digit. The region
# follows from the village, the sex is shown beside the name and the check digit ties the rest together, so what is
# shown must leave the birth date and the sequence open: the first and last character of the number, and the birth
# year, never the date, to anyone who may not reveal. That leaves about 365 × 500 / 11 ≈ 16,600 numbers for each
# member (`tests/security/test_id_masking.py` counts them from what each role sees). One function each, used by every
# page, list, history and export.


def mask_id_number(value: str | None) -> str:
    """An ID number as shown to everyone: its first and last character, 5****************0."""
    return mask(value, 1, 1)


def mask_phone(value: str | None) -> str:
    """A phone number as shown to everyone: 138****5678 (four digits open: 10,000 numbers)."""
    return mask(value, 3, 4)


def birth_year(day) -> str:
    """A birth date as shown to anyone who may not reveal: the year alone, 1970年 (also from a history record's
    text, 1970-03-01)."""
    if not day:
        return ""
    year = getattr(day, "year", None) or (str(day)[:4] if str(day)[:4].isdigit() else None)
    return f"{year}年" if year else "****"


def mask_personal(field_name: str, value) -> str:
    """A personal field's value as shown in lists and history: phone numbers, ID numbers, birth dates."""
    if not value:
        return value
    if field_name == "birth_date":
        return birth_year(value)
    if "phone" in field_name:
        return mask_phone(str(value))
    return mask_id_number(str(value))


MASKS = {"id_number": mask_id_number, "phone": mask_phone}


def masked(kind: str, value: str | None) -> str:
    """`value` under the mask named `kind` ("id_number" or "phone"): what `MaskedCopyField` keeps."""
    return MASKS[kind](value)
