"""Finding 8: the security log cannot be forged and keeps no full personal number.

Each event is one JSON object on one line (a newline typed into a user name stays inside its string), and a page's
query string is masked before the event is stored, so a full ID number searched for is neither kept nor shown to the
auditor."""

from __future__ import annotations

import json
import logging

from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.events import Action, record
from audit.models import SecurityEvent


def test_a_newline_in_a_user_name_cannot_forge_a_log_line(db, caplog, rf):
    forged = 'x\nlogin user=admin ip=10.0.0.1 path=/admin/ object=: rows=None"}'
    with caplog.at_level(logging.INFO, logger="audit.security"):
        record(Action.LOGIN_FAILED, request=rf.get("/accounts/login/"), username=forged)
    [line] = [r.getMessage() for r in caplog.records if r.name == "audit.security"]
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["user"] == forged and entry["action"] == "login_failed"


def test_a_full_id_number_in_a_query_string_is_neither_stored_nor_shown_to_the_auditor(
    client, org, township_staff, auditor
):
    township_staff.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    member = org.a1_g1_members[0]
    client.force_login(township_staff)
    client.get(reverse("admin:members_partymember_changelist"), {"q": member.id_number})
    client.get(reverse("roster:roster"), {"q": member.id_number, "phone": member.phone})
    assert SecurityEvent.objects.exists()
    for event in SecurityEvent.objects.all():
        assert member.id_number not in event.path and member.phone not in event.path
    assert SecurityEvent.objects.filter(path__contains=member.id_number[0] + "*" * 16).exists()
    client.force_login(auditor)
    page = client.get(reverse("audit:events")).content.decode()
    assert member.id_number not in page and member.phone not in page
