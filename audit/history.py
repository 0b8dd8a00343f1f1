"""`audit_history()` — the one way a model gets its django-simple-history table: who, when, from which address,
old and new values."""

from simple_history.models import HistoricalRecords

from audit.models import AddressedHistoricalModel


def audit_history(**kwargs) -> HistoricalRecords:
    kwargs.setdefault("bases", [AddressedHistoricalModel])
    return HistoricalRecords(**kwargs)
