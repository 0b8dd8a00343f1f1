"""/audit/ (等保 8.1.4.3): the auditor reads security events and data changes, filters them, pages through them and
exports the events; nobody else sees the page, and nothing on it changes the audit trail."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.events import record
from audit.models import SecurityEvent
from core import clock
from core.fields import mask_phone
from members.models import PartyMember
from tests.audit.conftest import Action, events, mark
from tests.factories import grow_township

EVENTS, CHANGES, XLSX = reverse("audit:events"), reverse("audit:changes"), reverse("audit:events-xlsx")


def sheet_rows(response) -> list[tuple]:
    """The header row and the events' rows: under the title and the date made, above the count and 制表人 line."""
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    return [r for r in rows[2:] if len(r) > 1 and r[1] is not None]


def at(days_ago: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days_ago)


def backdate(event: SecurityEvent, days_ago: int) -> SecurityEvent:
    SecurityEvent.objects.filter(pk=event.pk).update(at=at(days_ago))
    return event


# --- who may open it -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["township_staff", "secretary_a1", "county_viewer", "account_admin"])
@pytest.mark.parametrize("url", [EVENTS, CHANGES, XLSX])
def test_everyone_but_the_auditor_gets_404(persona, url, request, login):
    user = request.getfixturevalue(persona)
    assert login(user).get(url).status_code == 404
    assert not events(Action.EXPORT)


@pytest.mark.parametrize("persona", ["auditor", "superuser"])
def test_the_auditor_and_the_superuser_read_it(persona, request, login):
    client = login(request.getfixturevalue(persona))
    assert client.get(EVENTS).status_code == 200
    assert client.get(CHANGES).status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(EVENTS)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", [EVENTS, CHANGES, XLSX])
def test_nothing_on_the_page_accepts_a_post(url, auditor, login):
    client = login(auditor)
    record(Action.LOGIN, user=auditor)
    before = list(SecurityEvent.objects.values_list())
    assert client.post(url, {"action": "login"}).status_code == 405
    assert list(SecurityEvent.objects.values_list()) == before


# --- security events -----------------------------------------------------------------------------------------------


def test_the_events_show_who_what_when_where(org, auditor, township_staff, login):
    record(Action.EXPORT, user=township_staff, obj=org.a1, rows=17, export="test")
    page = login(auditor).get(EVENTS).content.decode()
    assert "xiang" in page and "罗紫村" in page and "17" in page


def test_the_events_are_filtered(org, auditor, township_staff, secretary_a1, login):
    record(Action.LOGIN, user=township_staff)
    record(Action.EXPORT, user=township_staff, obj=org.a1, rows=3)
    backdate(record(Action.EXPORT, user=secretary_a1, obj=org.a1, rows=4), 10)
    record(Action.EXPORT, user=secretary_a1, obj=org.a2, rows=5)
    client = login(auditor)

    def shown(**query):
        return {(e.username, e.action, e.rows) for e in client.get(EVENTS, query).context["page"].object_list}

    assert shown(person="luo") == {("luozi", "export", 4), ("luozi", "export", 5)}
    assert shown(action="login", person="xiang") == {("xiang", "login", None)}
    assert shown(object_type="township.village", object_id=str(org.a1.pk)) == {
        ("xiang", "export", 3),
        ("luozi", "export", 4),
    }
    since = (clock.today() - datetime.timedelta(days=1)).isoformat()
    assert ("luozi", "export", 4) not in shown(date_from=since, action="export")
    until = (clock.today() - datetime.timedelta(days=5)).isoformat()
    assert shown(date_to=until, action="export") == {("luozi", "export", 4)}


def test_a_backwards_date_range_is_answered_beside_the_field(auditor, login):
    response = login(auditor).get(EVENTS, {"date_from": "2025-05-01", "date_to": "2025-04-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"]
    assert "2025-05-01" in response.content.decode()  # what was typed stays


def test_the_events_come_fifty_to_a_page_newest_first(auditor, login, django_assert_max_num_queries):
    client = login(auditor)
    SecurityEvent.objects.all().delete()  # the set-up's own account events and the log-in
    SecurityEvent.objects.bulk_create(SecurityEvent(action=Action.LOGIN, username=f"user{n:03d}") for n in range(120))
    with django_assert_max_num_queries(8):
        first = client.get(EVENTS)
    names = [e.username for e in first.context["page"].object_list]
    assert len(names) == 50 and names[0] == "user119"
    third = client.get(EVENTS, {"page": 3})
    assert len(third.context["page"].object_list) == 20


def test_the_export_holds_the_filtered_events_and_is_itself_kept(org, auditor, township_staff, secretary_a1, login):
    record(Action.EXPORT, user=township_staff, obj=org.a1, rows=3)
    record(Action.EXPORT, user=secretary_a1, obj=org.a1, rows=4)
    record(Action.LOGIN_FAILED, username="=cmd|' /C calc'!A0")
    since = mark()
    response = login(auditor).get(XLSX, {"action": "export"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"].split(", ")
    rows = sheet_rows(response)
    assert [r[1] for r in rows[1:]] == ["luozi", "xiang"]
    (kept,) = events(Action.EXPORT, after=since)
    assert kept.username == "shenji" and kept.rows == 2 and kept.detail["filters"] == {"action": "export"}


def test_the_export_writes_typed_text_as_text(auditor, login):
    record(Action.LOGIN_FAILED, username="=1+1")
    response = login(auditor).get(XLSX)
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)


# --- data changes --------------------------------------------------------------------------------------------------


def test_a_change_shows_who_when_where_and_the_old_and_new_values(org, auditor, township_staff, login):
    member = org.a1_g1_members[0]
    old_id, old_phone = member.id_number, member.phone
    client = login(township_staff)
    data = {
        "village": org.a1.pk, "name": "罗紫新名", "sex": member.sex, "birth_date": member.birth_date.isoformat(),
        "id_number": member.id_number_masked, "phone": "13912345678", "joined_on": member.joined_on.isoformat(),
        "status": member.status, "posts-TOTAL_FORMS": "0", "posts-INITIAL_FORMS": "0",
        "joined_on_precision": member.joined_on_precision, "full_member_on_precision": member.full_member_on_precision,
    }  # fmt: skip
    inline = client.get(reverse("admin:members_partymember_change", args=[member.pk])).context["inline_admin_formsets"]
    for formset in inline:
        prefix = formset.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = str(formset.formset.initial_form_count())
        for i, form in enumerate(formset.formset.forms):
            data[f"{prefix}-{i}-id"] = str(form.instance.pk)
            data[f"{prefix}-{i}-member"] = str(member.pk)
    response = client.post(reverse("admin:members_partymember_change", args=[member.pk]), data, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302, response.context["adminform"].form.errors
    page = login(auditor).get(CHANGES, {"object_type": "members.partymember", "object_id": str(member.pk)})
    (change,) = [c for c in page.context["page"].changes if c.kind == "~"]
    assert (change.username, change.ip, change.object_repr) == ("xiang", "10.1.2.3", "罗紫新名")
    fields = {name: (old, new) for name, old, new in change.fields}
    assert fields["姓名"] == ("罗紫党员1", "罗紫新名")
    text = page.content.decode()
    assert "13912345678" not in text and old_id not in text  # personal numbers stay masked
    assert fields["联系电话"] == (mask_phone(old_phone), "139****5678")  # one phone mask everywhere
    assert old_phone not in text
    assert "罗紫新名" in text


def test_the_changes_are_filtered_by_kind_person_and_type(org, auditor, township_staff, login):
    from core.stamp import stamp

    village = org.a1
    old_name, village.secretary_name = village.secretary_name, "新书记"
    stamp(village, township_staff).save()
    client = login(auditor)
    changes = client.get(CHANGES, {"person": "xiang"}).context["page"].changes
    assert [(c.object_type, c.kind) for c in changes] == [("township.village", "~")]
    assert [(old, new) for _name, old, new in changes[0].fields] == [(old_name, "新书记")]
    created = client.get(CHANGES, {"object_type": "township.village", "change": "+"}).context["page"].changes
    assert {c.object_repr for c in created} == {"罗紫村", "井阳村", "白石村"}


def test_the_changes_page_through_every_table_in_a_fixed_number_of_queries(
    org, auditor, login, django_assert_max_num_queries
):
    client = login(auditor)
    client.get(CHANGES)
    with CaptureQueriesContext(connection) as small:
        first = client.get(CHANGES)
    grow_township(org.ta, 6)
    with django_assert_max_num_queries(len(small) + 4):
        response = client.get(CHANGES)
    page = response.context["page"]
    assert len(page.changes) == 50 and page.has_next
    labels = {c.object_type for c in page.changes}
    assert len(labels) >= 2  # one page mixes tables, newest first
    times = [c.at for c in page.changes]
    assert times == sorted(times, reverse=True)
    second = client.get(CHANGES, {"page": 2}).context["page"]
    assert second.changes and second.changes[0].at <= times[-1]
    assert first.status_code == 200


# --- read-only in the admin ----------------------------------------------------------------------------------------


def test_the_admin_shows_events_to_the_superuser_read_only(auditor, superuser, township_staff, login):
    event = record(Action.LOGIN, user=auditor)
    model_admin = admin.site._registry[SecurityEvent]
    client = login(superuser)
    assert client.get(reverse("admin:audit_securityevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_securityevent_add")).status_code == 403
    client.post(reverse("admin:audit_securityevent_delete", args=[event.pk]), {"post": "yes"})
    client.post(
        reverse("admin:audit_securityevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert SecurityEvent.objects.filter(pk=event.pk).exists()
    assert "delete_selected" not in (model_admin.get_actions(client.get("/").wsgi_request) or {})
    assert login(township_staff).get(reverse("admin:audit_securityevent_changelist")).status_code == 403


def test_a_members_history_in_the_admin_masks_the_numbers(org, township_staff, login):
    from core.stamp import stamp

    member = org.a1_g1_members[0]
    old_id = member.id_number
    member.phone = "13800001111"
    stamp(member, township_staff).save()
    page = login(township_staff).get(reverse("admin:members_partymember_history", args=[member.pk]))
    text = page.content.decode()
    assert "13800001111" not in text and old_id not in text
    assert PartyMember.objects.get(pk=member.pk).phone == "13800001111"


def test_what_no_person_did_is_shown_as_done_by_the_system(auditor, login):
    """An event of a command or an import (no account) names 系统 as its maker, on the page and in the export."""
    record(Action.ROLE_CHANGED)
    client = login(auditor)
    page = client.get(EVENTS, {"action": Action.ROLE_CHANGED})
    import re

    shown = page.context["page"].object_list
    assert shown and not any(e.username for e in shown)  # this one, and the fixtures' role assignments
    body = page.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in body.split("</tr>")[:-1]]
    assert [cells[1].strip() for cells in rows] == ["系统"] * len(shown)  # the account column, after the time
    sheet = sheet_rows(client.get(XLSX, {"action": Action.ROLE_CHANGED}))
    assert [r[1] for r in sheet[1:]] == ["系统"] * len(shown)
