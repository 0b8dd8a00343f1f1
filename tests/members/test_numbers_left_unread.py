"""Pages that show members by name leave their ID and phone numbers encrypted: each number is decrypted as its row is
read (a Fernet decryption apiece), so a page listing a branch's members, meetings or concerns would otherwise decrypt
hundreds of numbers it never shows. The numbers stay where they are shown (the roster, the member's own page)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from activity.concerns.services import concern_record
from activity.models import Concern
from activity.reports.services import activity_save, report_for
from core import clock, fields
from members.away.services import away_record
from orglife.meetings.models import Kind
from orglife.meetings.services import meeting_record


@pytest.fixture
def decrypted(monkeypatch) -> list[str]:
    """The encrypted fields decrypted while the test runs, by name."""
    seen: list[str] = []
    read = fields.EncryptedTextField.from_db_value

    def counting(self, value, *args):
        if value:
            seen.append(self.name)
        return read(self, value, *args)

    monkeypatch.setattr(fields.EncryptedTextField, "from_db_value", counting)
    return seen


@pytest.fixture
def branch_year(org, secretary_a1):
    """Village A1 with a 谈心谈话, a concern raised through a member, an activity with participants and a member away
    with a contact person: every page below has members to show by name."""
    today = clock.today()
    members = org.a1_g1_members
    meeting_record(
        village=org.a1,
        kind=Kind.TALK,
        held_on=today - datetime.timedelta(days=3),
        topic="谈心",
        host=members[0],
        talk_with=members[1],
        acting_user=secretary_a1,
    )
    concern_record(
        villager_group=org.a1_vgs[0],
        raised_through=members[2],
        raised_on=today - datetime.timedelta(days=2),
        category=Concern.Category.INFRASTRUCTURE,
        content="村道坑洼",
        handling=Concern.Handling.BRANCH,
        acting_user=secretary_a1,
    )
    month = today.replace(day=1)
    report = report_for(party_group=org.a1_g1, month=month, acting_user=secretary_a1)
    activity_save(
        report=report,
        version=report.version,
        acting_user=secretary_a1,
        kind="visit",
        held_on=today - datetime.timedelta(days=1),
        content="入户走访",
        participants=members[:3],
        households_reached=4,
    )
    away_record(
        member=members[3],
        province="广东省",
        city="东莞市",
        workplace="电子厂",
        fixed_workplace=True,
        since=today - datetime.timedelta(days=90),
        phone="13800138000",
        contact_person=members[0],
        remote_participation="线上学习",
        acting_user=None,
    )
    return month


def test_pages_listing_members_by_name_decrypt_no_numbers(
    org, branch_year, secretary_a1, township_staff, login, decrypted
):
    secretary, staff = login(secretary_a1), login(township_staff)
    away_phone = ["phone"]  # the member away's own contact number, which the standing pages show masked
    pages = [
        (secretary, reverse("village", args=[org.a1.pk]), []),  # party groups with their officers
        (secretary, reverse("orglife:village", args=[org.a1.pk, branch_year.year]), []),  # the talk's two members
        (secretary, reverse("concerns:list"), []),  # raised through a member
        (secretary, reverse("activity:report", args=[org.a1_g1.pk, branch_year]), []),  # participants
        (secretary, reverse("standing:village", args=[org.a1.pk]), away_phone),  # members, their contact persons
        (staff, reverse("standing:township", args=[org.ta.pk]), away_phone),
    ]
    for client, url, expected in pages:
        decrypted.clear()
        response = client.get(url)
        assert response.status_code == 200, url
        assert decrypted == expected, f"{url} decrypted {decrypted}"


def test_the_member_away_is_still_shown_with_a_masked_phone_and_their_contact_by_name(
    org, branch_year, secretary_a1, login
):
    page = login(secretary_a1).get(reverse("standing:village", args=[org.a1.pk])).content.decode()
    assert "138****8000" in page and org.a1_g1_members[0].name in page and "13800138000" not in page


def test_the_admin_member_list_shows_the_kept_masked_copies_and_decrypts_nothing(org, township_staff, login, decrypted):
    """The township's member list (50 rows a page, searched by name) shows each member's ID and phone number masked,
    from the masked copies kept beside the encrypted numbers."""
    from members.models import PartyMember

    member = org.a1_g1_members[0]
    PartyMember.objects.filter(pk=member.pk).update(name="罗紫")  # one row the search finds (names are not encrypted)
    member = PartyMember.objects.get(pk=member.pk)
    assert member.masked_id_number and member.masked_phone
    url = reverse("admin:members_partymember_changelist") + "?q=罗紫"
    client = login(township_staff)
    decrypted.clear()
    page = client.get(url).content.decode()
    assert decrypted == []
    assert member.masked_id_number in page and member.masked_phone in page
    assert member.id_number not in page and member.phone not in page
    assert member.masked_id_number == fields.masked("id_number", member.id_number)
    assert f'name="_selected_action" value="{member.pk}" class="action-select"' in page
