"""The demo's contact points, visits and posts (seeding/demo/orglife_visits_posts.py), built through the services."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from core import clock, periods
from orglife.posts.models import DutyAssignment, DutyCredit, DutyPost
from orglife.posts.services import offices_of
from orglife.visits.models import ContactPoint, Visit, VisitProblem
from orglife.visits.selectors import unvisited_groups
from seeding.demo import build as demo
from seeding.demo import orglife_visits_posts as demo_orglife
from seeding.demo import reports as demo_reports
from tests.shared import shared_fixture
from township.models import Village


def _built():
    demo.build()
    demo.ensure_accounts("Demo-orglife-test-1")
    demo_reports.build()
    demo_orglife.build()


built = shared_fixture("built", _built)  # built once for this module's tests (tests/shared.py)


def test_the_committee_visits_its_contact_points_and_some_groups_wait_this_quarter(built):
    today = clock.today()  # 2027-06-15
    assert ContactPoint.objects.count() == 9
    assert set(ContactPoint.objects.values_list("member__username", flat=True)) == {"xiang", "hezm", "pudk"}
    assert not Visit.objects.filter(visited_on__gt=today).exists()
    assert Visit.objects.count() > 80
    assert VisitProblem.objects.filter(concern__isnull=False).exists()
    assert VisitProblem.objects.filter(resolved_on__isnull=False).exists()
    first, _last = periods.quarter_range(today.year, periods.quarter_of(today))
    xiang = get_user_model().objects.get(username="xiang")
    waiting = {f"{g.village.name}{g.name}" for g in unvisited_groups(xiang, first, today)}
    assert 3 <= len(waiting) <= 8
    assert any(name.startswith("河坝村") for name in waiting)  # 河坝村's other groups are nobody's contact point
    visits = Visit.objects.count()
    demo_orglife.build()
    assert Visit.objects.count() == visits  # running it again changes nothing


def test_every_branch_sets_five_posts_held_by_members_without_office_but_one(built):
    township_villages = Village.objects.filter(township__name=demo.SURVEYED)
    assert DutyPost.objects.filter(village__in=township_villages).count() == 5 * township_villages.count()
    assert not DutyPost.objects.filter(kind="households", households="").exists()
    today = clock.today()
    current = list(DutyAssignment.objects.on(today).select_related("member"))
    offices = offices_of([a.member for a in current], today)
    flagged = {a.member.name for a in current if offices[a.member_id]}
    assert flagged == {"唐加惠"}
    assert DutyAssignment.objects.filter(ended_on__isnull=False).count() == 1
    assert DutyCredit.objects.count() > 50
