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

    def pre_save(self, model_instance, add):
        value = lookup_hash(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def mask(value: str | None, keep_start: int = 4, keep_end: int = 4) -> str:
    """5101**********1234: enough to recognise a number, not enough to use it."""
    value = value or ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
