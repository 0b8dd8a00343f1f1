"""The branch's 工作台 names the members behind with their dues beside the organisational-life item, and which of
those flagged for the committee have also been six months without organisational life (党章第九条 names both)."""

from __future__ import annotations

import datetime

from django.urls import reverse

from dues.selectors import arrears_for, dues_for, schedule_for
from orglife.meetings.models import Kind
from orglife.meetings.services import Mark, meeting_record
from tests.dues.conftest import pay


def _items(response) -> dict:
    assert response.status_code == 200
    return {t.key: t for t in response.context["todo"]}


def test_the_secretary_sees_the_dues_arrears_beside_the_organisational_life_flag(org, secretary_a1, login, assessed):
    client = login(secretary_a1)
    url = reverse("village", args=[org.a1.pk])
    items = _items(client.get(url))
    rows = arrears_for(org.a1)
    flagged = [a for a in rows if a.flagged]
    assert flagged and "罗紫党员3" in {a.member.name for a in flagged}  # nothing paid since January 2026
    todo = items["dues_arrears"]
    assert todo.count == len(rows)
    assert todo.text.startswith(f"{len(rows)}名党员连续三个月以上未交党费，要由党小组长提醒")
    assert f"其中{len(flagged)}名已连续6个月未交又无正当理由，要提交支委会研究" in todo.text
    assert "罗紫党员3" in todo.text and "同时连续六个月以上没有参加组织生活" in todo.text  # never at a meeting
    assert todo.url == reverse("dues:arrears", args=[org.a1.pk])
    assert client.get(todo.url).status_code == 200
    keys = list(items)
    assert keys.index("dues_arrears") == keys.index("orglife_at_risk") + 1  # beside the organisational-life item

    # at a meeting last month: still behind with the dues, no longer six months without organisational life
    member = next(a.member for a in flagged if a.member.name == "罗紫党员3")
    meeting_record(
        village=org.a1, kind=Kind.COMMITTEE, party_group=None, held_on=datetime.date(2027, 5, 20), topic="支委会",
        acting_user=secretary_a1, marks=[Mark(member=member, presence="present", reason="")],
    )  # fmt: skip
    todo = _items(client.get(url))["dues_arrears"]
    assert "要提交支委会研究" in todo.text and "罗紫党员3同时" not in todo.text

    # every month paid up: the item goes
    for a in rows:
        owed = dues_for([a.member], a.unpaid_months[0], a.unpaid_months[-1], schedule_for(org.ta.pk))
        for m in a.unpaid_months:
            pay(a.member, m, owed.outstanding(a.member.pk, m), day=datetime.date(2027, 6, 14))
    assert "dues_arrears" not in _items(client.get(url))
