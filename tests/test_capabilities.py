"""The capability table, pinned whole: every role × every capability × places inside and outside the reach.

Each string has a column per place: at all (no place) · own party group (A1's first) · own village A1 · village A2
of the same township · township A · village B1 of the other township · township B · the county. Y: holds, .: not.
A change to who may do what shows here as a changed row: change `township.capabilities` and this expectation
together, deliberately.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from township.capabilities import CAPABILITIES, WRITES, capabilities_of, require, writes_anything

PERSONAS = ["township_staff", "secretary_a1", "group_leader", "county_viewer", "auditor", "account_admin", "superuser"]

# fmt: off
EXPECTED = {
    # capability:      staff       secretary   leader      county      auditor     acct admin  superuser
    "village.read": ("YYYYY...", "YYY.Y...", "........", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "township.read": ("YYYYY...", "........", "........", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "county.read": ("........", "........", "........", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "members.read": ("YYYYY...", "YYY.Y...", "........", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "members.write": ("YYYYY...", "YYY.....", "........", "........", "........", "........", "YYYYYYYY"),
    "members.reveal": ("........", "........", "........", "........", "........", "........", "YYYYYYYY"),
    "groups.read": ("YYYYY...", "YYY.Y...", "YY......", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "groups.write": ("YYYYY...", "YYY.....", "........", "........", "........", "........", "YYYYYYYY"),
    "reports.read": ("YYYYY...", "YYY.Y...", "YY......", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "reports.write": ("YYYYY...", "YYY.....", "Y.......", "........", "........", "........", "YYYYYYYY"),
    "reports.close": ("YYYYY...", "YYY.....", "........", "........", "........", "........", "YYYYYYYY"),
    "concerns.read": ("YYYYY...", "YYY.Y...", "YYY.Y...", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "concerns.write": ("YYYYY...", "YYY.....", "........", "........", "........", "........", "YYYYYYYY"),
    "ledger.read": ("YYYYY...", "YYY.Y...", "YYY.Y...", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "ledger.write": ("YYYYY...", "YYY.....", "........", "........", "........", "........", "YYYYYYYY"),
    "projects.read": ("YYYYY...", "YYY.Y...", "YYY.Y...", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "projects.write": ("YYYYY...", "YYY.....", "........", "........", "........", "........", "YYYYYYYY"),
    "dues.read": ("YYYYY...", "YYY.Y...", "........", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "dues.write": ("YYYYY...", "YYY.....", "........", "........", "........", "........", "YYYYYYYY"),
    "dues.receive": ("YYYYY...", "........", "........", "........", "........", "........", "YYYYYYYY"),
    "orglife.read": ("YYYYY...", "YYY.Y...", "........", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "orglife.write": ("YYYYY...", "YYY.....", "........", "........", "........", "........", "YYYYYYYY"),
    "orglife.settings": ("YYYYY...", "........", "........", "........", "........", "........", "YYYYYYYY"),
    "orglife.group_meeting": ("YYYYY...", "YYY.....", "Y.......", "........", "........", "........", "YYYYYYYY"),
    "visits.read": ("YYYYY...", "YYY.Y...", "........", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "visits.write": ("YYYYY...", "........", "........", "........", "........", "........", "YYYYYYYY"),
    "posts.read": ("YYYYY...", "YYY.Y...", "........", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "posts.write": ("YYYYY...", "YYY.....", "........", "........", "........", "........", "YYYYYYYY"),
    "dues.collect": ("YYYYY...", "YYY.....", "YY......", "........", "........", "........", "YYYYYYYY"),
    "dues.settings": ("YYYYY...", "........", "........", "........", "........", "........", "YYYYYYYY"),
    "scores.read": ("YYYYY...", "YYY.Y...", "........", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "scores.write": ("YYYYY...", "........", "........", "........", "........", "........", "YYYYYYYY"),
    "reviews.write": ("YYYYY...", "YYY.....", "........", "........", "........", "........", "YYYYYYYY"),
    "awards.read": ("YYYYY...", "YYY.Y...", "........", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "awards.nominate": ("YYYYY...", "YYY.....", "........", "........", "........", "........", "YYYYYYYY"),
    "awards.decide": ("YYYYY...", "........", "........", "........", "........", "........", "YYYYYYYY"),
    "awards.report": ("YYYYY...", "........", "........", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "accounts.manage": ("........", "........", "........", "........", "........", "Y.......", "YYYYYYYY"),
    "audit.read": ("........", "........", "........", "........", "Y.......", "........", "YYYYYYYY"),
    "admin.enter": ("YYYYY...", "........", "........", "YYYYYYYY", "........", "Y.......", "YYYYYYYY"),
    "admin.view": ("YYYYY...", "........", "........", "YYYYYYYY", "........", "........", "YYYYYYYY"),
    "admin.change": ("YYYYY...", "........", "........", "........", "........", "........", "YYYYYYYY"),
}
# fmt: on


def places(org) -> list:
    return [None, org.a1_g1, org.a1, org.a2, org.ta, org.b1, org.tb, org.county]


def row(user, capability: str, org) -> str:
    return "".join("Y" if user.has_perm(capability, place) else "." for place in places(org))


def test_every_capability_is_pinned():
    assert set(EXPECTED) == set(CAPABILITIES)


@pytest.mark.parametrize("capability", sorted(CAPABILITIES))
def test_the_table_is_what_it_was_decided_to_be(capability, org, request):
    users = [request.getfixturevalue(p) for p in PERSONAS]
    assert tuple(row(u, capability, org) for u in users) == EXPECTED[capability]


def test_a_leader_enters_their_own_groups_month_only_where_the_branch_allows_it(org, group_leader):
    assert not group_leader.has_perm("reports.write", org.a1_g1)
    org.a1.leaders_may_report = True
    org.a1.save()
    org.a1_g1.refresh_from_db()
    assert group_leader.has_perm("reports.write", org.a1_g1)
    assert not group_leader.has_perm("reports.write", org.a1_g2)  # another group of the same village
    assert not group_leader.has_perm("reports.close", org.a1_g1)


def test_full_numbers_need_the_permission_and_the_reach(org, township_staff):
    township_staff.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    township_staff = type(township_staff).objects.get(pk=township_staff.pk)  # a fresh permission cache
    assert row(township_staff, "members.reveal", org) == "YYYYY..."


def test_an_inactive_account_holds_nothing(org, township_staff):
    township_staff.is_active = False
    assert capabilities_of(township_staff) == set()
    assert capabilities_of(township_staff, org.a1) == set()
    assert not writes_anything(township_staff)


def test_only_the_roles_that_change_business_data_write(request, org):
    writers = {p for p in PERSONAS if writes_anything(request.getfixturevalue(p))}
    assert writers == {"township_staff", "secretary_a1", "group_leader", "superuser"}
    assert set(CAPABILITIES) >= WRITES


def test_a_service_refuses_a_person_without_the_capability_and_allows_a_system_action(org, county_viewer, secretary_a1):
    with pytest.raises(PermissionDenied):
        require(county_viewer, "ledger.write", org.a1)
    with pytest.raises(PermissionDenied):
        require(secretary_a1, "ledger.write", org.a2)  # in the township, not in their village
    require(secretary_a1, "ledger.write", org.a1)
    require(None, "ledger.write", org.b1)  # a management command, run by the operator on the server


# --- the services ask the table themselves: a view that forgets to check cannot write past it ---------------------


def _writes(org):
    """One write per room, on village A1's records, each through its service."""
    import datetime
    from decimal import Decimal

    from activity.concerns.services import concern_record
    from activity.models import Concern
    from groups.ledger.services import fund_entry_post
    from groups.models import FundEntry
    from groups.services import member_join_group

    day = datetime.date(2025, 3, 1)
    return {
        "ledger": lambda user: fund_entry_post(
            villager_group=org.a1_vgs[0],
            entry_date=day,
            direction=FundEntry.Direction.INCOME,
            amount=Decimal("10.00"),
            category=FundEntry.Category.SUBSIDY,
            purpose="测试",
            acting_user=user,
        ),
        "concern": lambda user: concern_record(
            villager_group=org.a1_vgs[0],
            raised_through=org.a1_g1_members[0],
            raised_on=day,
            category=Concern.Category.OTHER,
            content="路灯坏了",
            handling=Concern.Handling.ON_SPOT,
            answer="已修",
            answered_by="党小组",
            acting_user=user,
        ),
        "group": lambda user: member_join_group(
            member=org.a1_loose, party_group=org.a1_g1, started_on=day, acting_user=user
        ),
    }


@pytest.mark.parametrize("write", ["ledger", "concern", "group"])
@pytest.mark.parametrize("persona", ["county_viewer", "secretary_a2", "group_leader", "auditor", "account_admin"])
def test_a_service_refuses_everyone_without_the_capability_and_saves_nothing(org, persona, write, request):
    from tests.test_isolation_matrix import snapshot

    user = request.getfixturevalue(persona)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        _writes(org)[write](user)
    assert snapshot() == before


@pytest.mark.parametrize("write", ["ledger", "concern", "group"])
def test_the_villages_own_secretary_writes_through_the_same_services(org, secretary_a1, write):
    assert _writes(org)[write](secretary_a1).pk
