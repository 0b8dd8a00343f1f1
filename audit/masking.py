"""Personal numbers stay masked wherever old and new values are shown: the admin's history list and the audit page.

Which fields: every EncryptedTextField (ID and phone numbers), so a new encrypted field is masked without a list to
keep up to date, and the birth date (its year only).
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from simple_history.template_utils import HistoricalRecordContextHelper

from core.fields import EncryptedTextField, mask_personal

# Not encrypted, but with a masked ID number beside it a full birth date narrows the number down to a few dozen.
PERSONAL_PLAIN_FIELDS = {"birth_date"}


def is_personal(model, field_name: str) -> bool:
    if field_name in PERSONAL_PLAIN_FIELDS:
        return True
    try:
        return isinstance(model._meta.get_field(field_name), EncryptedTextField)
    except FieldDoesNotExist:
        return False


def shown(model, field_name: str, value):
    """The value as it may be shown to anyone: masked for a personal field, unchanged otherwise."""
    if is_personal(model, field_name) and value:
        return mask_personal(field_name, value)
    return value


class MaskedHistoryContextHelper(HistoricalRecordContextHelper):
    """simple-history's change list of a record, with personal numbers masked on both sides."""

    def prepare_delta_change_value(self, change, value):
        """Masked, and in words as on the audit page: a choice's label, 是/否, 2026年3月1日, — for nothing."""
        from audit.selectors import value_words

        value = super().prepare_delta_change_value(change, value)
        if isinstance(value, list):  # a many-to-many field's related rows, already their names
            return value
        return value_words(self.model, change.field, value)
