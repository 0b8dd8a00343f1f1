from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from dues.services import assessment_set, payment_record

YEAR = 2027
JAN = datetime.date(YEAR, 1, 1)


def month(m: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, m, 1)


def pay(member, first: datetime.date, amount, *, months: int = 1, voluntary="0", day=None, user=None):
    """Record a payment as the branch would (the village is the member's own)."""
    return payment_record(
        village=member.village,
        member=member,
        first_month=first,
        months=months,
        amount=Decimal(str(amount)),
        voluntary=Decimal(str(voluntary)),
        paid_on=day or datetime.date(YEAR, 6, 10),
        received_by="谢明德",
        acting_user=user,
    )


@pytest.fixture
def assessed(org):
    """Village A1's members assessed for 2026 and 2027: the first employed on 4,000 (40.00 a month), the second
    retired on 5,000 (25.00), the others farmers at the default 0.20."""
    members = org.a1_g1_members + org.a2_members[:1]
    for year in (2026, 2027):
        assessment_set(member=members[0], year=year, category="employed", base=Decimal("4000"), acting_user=None)
        assessment_set(member=members[1], year=year, category="retired", base=Decimal("5000"), acting_user=None)
        for m in members[2:]:
            assessment_set(member=m, year=year, category="farmer", acting_user=None)
    return members
