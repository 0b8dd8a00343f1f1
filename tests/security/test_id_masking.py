"""Finding 2: a member's ID number cannot be rebuilt from what a secretary or the auditor is shown.

An ID number is region (6) + birth date (8) + sequence (3, odd for men) + check digit. The region follows from the
village and the sex is shown beside the name, so the test grants those and collects everything else each role sees
of a member, on every page and in every export it may open: then it counts the ID numbers that agree with all of it.
Before, `5113**********2330` with the birth date beside it left one. Now the first and last character and the birth
year leave about 16,600. The admin's search by a full number, an oracle, is only for those who may reveal, logged,
and rate-limited."""

from __future__ import annotations

import calendar
import datetime
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import SecurityEvent
from members.validators import id_check_digit

MASKED_ID = re.compile(r"[0-9X*]{18}")
MIN_CANDIDATES = 10_000


def workbook_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(
        str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r if v is not None
    )


def date_forms(day: datetime.date) -> list[str]:
    return [
        day.isoformat(),
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y/%m/%d}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day:%Y.%m.%d}",
        f"{day:%Y年%m月%d日}",
    ]


def candidates(member, seen: str) -> int:
    """How many ID numbers agree with everything in `seen` (granting the region and the sex as known)."""
    real = member.id_number
    shown = [m for m in MASKED_ID.findall(seen) if "*" in m and m[0] == real[0] and m[-1] == real[-1]]
    assert real not in seen
    known = {i: c for s in shown for i, c in enumerate(s) if c != "*"}  # every character any shown mask gives away
    if any(f in seen for f in date_forms(member.birth_date)):
        days = [member.birth_date]
    else:
        year = member.birth_date.year
        days = [datetime.date(year, 1, 1) + datetime.timedelta(d) for d in range(366 if calendar.isleap(year) else 365)]
    region, odd = real[:6], int(real[16]) % 2
    count = 0
    for day in days:
        stem = f"{region}{day:%Y%m%d}"
        if any(known.get(i, c) != c for i, c in enumerate(stem)):
            continue
        for seq in range(odd, 1000, 2):
            first17 = f"{stem}{seq:03d}"
            if any(known.get(i, c) != c for i, c in enumerate(first17[14:], start=14)):
                continue
            if known.get(17, id_check_digit(first17)) == id_check_digit(first17):
                count += 1
    return count


@pytest.fixture
def changed_member(org, township_staff, client):
    """A member whose record the township changed in the admin (so the history and the audit trail hold it)."""
    member = org.a1_g1_members[0]
    client.force_login(township_staff)
    url = reverse("admin:members_partymember_change", args=[member.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple | dict)}
    data.update({"name": member.name, "phone": "13912345678", "village": member.village_id})
    data.update({k: ("on" if v else "") for k, v in data.items() if isinstance(v, bool)})
    for key in ("joined_on", "left_on"):
        if isinstance(data.get(key), datetime.date):
            data[key] = data[key].isoformat()
    for prefix in ("posts",):
        for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data.setdefault(f"{prefix}-{key}", "0")
    client.post(url, data)
    client.logout()
    member.refresh_from_db()
    assert member.phone == "13912345678", "the change in the admin was not saved"
    return member


def secretary_sees(client, secretary, org) -> str:
    client.force_login(secretary)
    texts = [workbook_text(b"".join(client.get(reverse("roster:roster")).streaming_content))]
    for url in ("/", reverse("village", args=[org.a1.pk]), reverse("groups:party-group", args=[org.a1_g1.pk])):
        texts.append(client.get(url).content.decode())
    return " ".join(texts)


def auditor_sees(client, auditor) -> str:
    client.force_login(auditor)
    texts = []
    for name in ("audit:events", "audit:changes"):
        for page in range(1, 6):
            texts.append(client.get(reverse(name), {"page": page}).content.decode())
    texts.append(workbook_text(client.get(reverse("audit:events-xlsx")).content))
    return " ".join(texts)


def test_what_a_secretary_sees_leaves_at_least_ten_thousand_id_numbers(client, org, secretary_a1, changed_member):
    seen = secretary_sees(client, secretary_a1, org)
    for member in org.a1_g1_members[:2]:
        assert member.name in seen
        assert candidates(member, seen) >= MIN_CANDIDATES


def test_what_the_auditor_sees_leaves_at_least_ten_thousand_id_numbers(client, org, auditor, changed_member):
    seen = auditor_sees(client, auditor)
    assert changed_member.name in seen
    assert candidates(changed_member, seen) >= MIN_CANDIDATES


def test_what_township_staff_without_the_reveal_permission_see_in_the_admin_leaves_enough(
    client, org, township_staff, changed_member
):
    client.force_login(township_staff)
    seen = " ".join(
        client.get(url).content.decode()
        for url in (
            reverse("admin:members_partymember_changelist"),
            reverse("admin:members_partymember_change", args=[changed_member.pk]),
            reverse("admin:members_partymember_history", args=[changed_member.pk]),
        )
    )
    assert changed_member.name in seen
    assert candidates(changed_member, seen) >= MIN_CANDIDATES


def test_one_mask_for_id_numbers_and_one_for_phones():
    from core.fields import mask_id_number, mask_phone

    assert mask_id_number("510123198001011234") == "5" + "*" * 16 + "4"
    assert mask_phone("13812345678") == "138****5678"


# --- the admin's exact search ----------------------------------------------------------------------------------------


def search(client, term: str):
    return client.get(reverse("admin:members_partymember_changelist"), {"q": term})


def test_exact_id_search_is_refused_to_those_who_may_not_reveal(client, org, township_staff):
    member = org.a1_g1_members[0]
    client.force_login(township_staff)
    response = search(client, member.id_number)
    assert response.status_code == 200
    assert member.name not in response.context["cl"].result_list.values_list("name", flat=True)
    assert "有权查看完整号码" in response.content.decode()


@pytest.fixture
def revealer(township_staff):
    township_staff.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    return township_staff


def test_exact_id_search_by_a_revealer_is_logged_and_rate_limited(client, org, revealer, settings):
    settings.EXACT_SEARCHES_PER_HOUR = 3
    member = org.a1_g1_members[0]
    client.force_login(revealer)
    for _ in range(3):
        found = search(client, member.id_number).context["cl"].result_list
        assert [m.pk for m in found] == [member.pk]
    events = SecurityEvent.objects.filter(user=revealer, action=SecurityEvent.Action.REVEAL)
    assert events.count() == 3
    assert all(member.id_number not in e.path for e in events)
    response = search(client, member.id_number)
    assert list(response.context["cl"].result_list) == []
    assert "稍后再试" in response.content.decode()
    assert events.count() == 3
