"""The demo's year of organisational life (seeding/demo/orglife_meetings.py): the township's compliance table and
at-risk lists show exactly the gaps the demo was built with."""

from __future__ import annotations

import pytest

from core import clock
from orglife.meetings.models import Kind, Meeting, Presence
from orglife.meetings.selectors import compliance, member_life
from seeding.demo import build as demo
from seeding.demo import orglife_meetings as demo_meetings
from township.models import Township, Village


@pytest.fixture
def demo_built(db):
    demo.build()
    demo_meetings.build()
    return Township.objects.get(name=demo.SURVEYED)


def test_the_demo_shows_its_known_gaps(demo_built):
    township = demo_built
    built = Meeting.objects.count()
    demo_meetings.build()
    assert Meeting.objects.count() == built > 300
    villages = Village.objects.filter(township=township)
    year, quarter = demo_meetings.last_complete_quarter(clock.today())
    table = compliance(villages, period="quarter", year=year, n=quarter)
    missing = {row.village.name for row in table.rows if row.cells[Kind.ASSEMBLY].missing}
    assert missing == set(demo_meetings.MISSING_ASSEMBLY)
    assert not any(row.cells[Kind.GROUP].missing or row.cells[Kind.THEME_DAY].missing for row in table.rows)
    lives = [life for v in villages for life in member_life(v)]
    at_risk = sorted((life.months_without, life.flagged) for life in lives if life.talk_due or life.flagged)
    assert at_risk == [(3, False), (4, False), (7, True)]
    from orglife.meetings.models import Attendance

    assert Attendance.objects.filter(presence=Presence.REMOTE).values("member").distinct().count() == 4
