"""The township's side: its frequencies and study-hours target, and the monthly theme for 主题党日."""

from __future__ import annotations

import datetime

from django.urls import reverse

from orglife.meetings.models import Kind, MonthlyTheme, OrgLifeSettings
from orglife.meetings.selectors import compliance
from orglife.meetings.services import meeting_record
from township.models import Village


def test_township_staff_change_a_frequency_and_the_table_follows(org, township_staff, login):
    client = login(township_staff)
    url = reverse("orglife:settings", args=[org.ta.pk])
    page = client.get(url).content.decode()
    assert "支部工作条例" in page  # each default says which rule it comes from
    data = {
        "assembly": "month",
        "committee": "month",
        "group": "month",
        "lecture": "quarter",
        "theme_day": "month",
        "life": "year",
        "talk": "year",
        "study_hours_target": "40",
    }
    assert client.post(url, data).status_code == 302
    assert OrgLifeSettings.objects.get(township=org.ta).study_hours_target == 40
    table = compliance(Village.objects.filter(township=org.ta), period="quarter", year=2027, n=1)
    assert table.rows[0].cells[Kind.ASSEMBLY].due == 3  # monthly now: three months of the first quarter


def test_a_secretary_may_not_change_the_townships_settings(org, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("orglife:settings", args=[org.ta.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"study_hours_target": "1"}).status_code == 403
    assert not OrgLifeSettings.objects.exists()


def test_the_township_publishes_a_theme_and_sees_who_held_it(org, township_staff, secretary_a1, login):
    client = login(township_staff)
    url = reverse("orglife:themes", args=[org.ta.pk])
    assert client.post(url, {"month": "2027-06", "title": "为民办实事", "materials": "学习材料"}).status_code == 302
    meeting_record(
        village=org.a1, kind=Kind.THEME_DAY, held_on=datetime.date(2027, 6, 8), topic="为民办实事", acting_user=None
    )
    page = client.get(url).content.decode()
    assert "已开展：罗紫村" in page and "井阳村" in page
    again = client.post(url, {"month": "2027-06", "title": "重复"})
    assert "这个月已经发布了主题" in again.content.decode()
    assert MonthlyTheme.objects.count() == 1
    assert login(secretary_a1).post(url, {"month": "2027-05", "title": "越权"}).status_code == 403
