"""The demo's standing: a dozen members away in 成都, 广州 and 新疆, two overdue probations, one 转出 and one death in
the past year; seeding again changes nothing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from core import clock
from members.away.models import AwaySpell
from members.models import PartyMember
from members.standing.models import StandingChange
from members.standing.selectors import overdue_probations

pytestmark = pytest.mark.django_db


def test_the_demo_has_members_away_overdue_probations_and_leavings():
    call_command("seed_demo", password="Demo-standing-16", stdout=io.StringIO())
    today = clock.today()
    spells = AwaySpell.objects.filter(returned_on__isnull=True)
    assert spells.count() == 12
    assert {s.city for s in spells} >= {"成都市", "广州市", "乌鲁木齐市"}
    assert len(overdue_probations(PartyMember.objects.all(), today)) == 2
    year_ago = today - datetime.timedelta(days=365)
    recent = StandingChange.objects.filter(on__gt=year_ago)
    assert recent.filter(kind=StandingChange.Kind.TRANSFER_OUT).count() == 1
    assert recent.filter(kind=StandingChange.Kind.DIED).count() == 1
    before = StandingChange.objects.count(), AwaySpell.objects.count()
    call_command("seed_demo", password="Demo-standing-16", stdout=io.StringIO())
    assert (StandingChange.objects.count(), AwaySpell.objects.count()) == before
