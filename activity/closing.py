"""Months closed by a decision further up the house: a decided appraisal year closes its twelve months to new or
changed monthly reports until the township reopens the year.

`activity` sits below `appraisal` in the room order, so it cannot ask about appraisal years itself; the appraisal
app registers its check here when Django starts (`AppraisalConfig.ready`), and the report services ask
`ensure_month_open` before every change.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError

MonthCheck = Callable[[int, datetime.date], "str | None"]
_checks: list[MonthCheck] = []


def register(check: MonthCheck) -> None:
    """Add a check: (township id, first day of the month) → why the month is closed, or None."""
    if check not in _checks:
        _checks.append(check)


def month_closed_reason(township_id: int, month: datetime.date) -> str | None:
    """Why the township's month is closed to changes by a decision higher up, or None when it is open."""
    for check in _checks:
        reason = check(township_id, month)
        if reason:
            return reason
    return None


def ensure_month_open(township_id: int, month: datetime.date) -> None:
    """Refuse a change to a month a decision has closed (code "year_decided")."""
    reason = month_closed_reason(township_id, month)
    if reason:
        raise ValidationError(reason, code="year_decided")
