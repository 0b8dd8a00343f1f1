"""The demo's year of dues (seeding/demo/dues.py): built through the services, agreeing to the fen, with the two
members in arrears and the one branch late in remitting."""

from __future__ import annotations

import pytest

from dues.models import Assessment, Payment, Remittance
from dues.selectors import arrears_for, check, township_year
from seeding.demo import build as demo
from seeding.demo import dues as demo_dues
from township.models import Township, Village


@pytest.fixture
def demo_dues_built(db):
    demo.build()
    demo_dues.build()
    return Township.objects.get(name=demo.SURVEYED)


def test_the_demo_year_agrees_to_the_fen_and_shows_arrears_and_a_late_branch(demo_dues_built):
    township = demo_dues_built
    built = Payment.objects.count()
    demo_dues.build()
    assert Payment.objects.count() == built > 251
    villages = list(Village.objects.filter(township=township))
    assert check(villages) == []
    categories = set(Assessment.objects.values_list("category", flat=True))
    assert {"farmer", "employed", "retired"} <= categories
    in_arrears = [a for v in villages for a in arrears_for(v)]
    assert sorted((a.in_a_row, a.flagged) for a in in_arrears) == [(4, False), (7, True)]
    late = {b.village.name for b in township_year(township, 2027) if b.late_count}
    late |= {b.village.name for b in township_year(township, 2026) if b.late_count}
    assert late == {demo_dues.LATE_VILLAGE}
    assert Remittance.objects.exists()
