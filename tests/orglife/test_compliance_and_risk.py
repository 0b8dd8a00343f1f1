"""The township's compliance table and the members at risk, on records made through the services."""

from __future__ import annotations

import datetime

from django.urls import reverse

from orglife.meetings.models import Kind, Presence
from orglife.meetings.selectors import compliance, member_life
from orglife.meetings.services import Mark, meeting_record
from township.models import Village


def hold(org, kind, day, marks=(), village=None):
    return meeting_record(
        village=village or org.a1, kind=kind, held_on=day, topic="会议", acting_user=None, marks=list(marks)
    )


def test_a_branch_without_a_quarters_assembly_is_missing_it(org):
    hold(org, Kind.ASSEMBLY, datetime.date(2027, 2, 10))
    table = compliance(Village.objects.filter(township=org.ta), period="year", year=2027, n=1)
    cells = {row.village.name: row.cells[Kind.ASSEMBLY] for row in table.rows}
    # the first quarter has ended; the second (to 30 June) is still under way on 15 June
    assert (cells["罗紫村"].done, cells["罗紫村"].due, cells["罗紫村"].missing) == (1, 1, 0)
    assert (cells["井阳村"].done, cells["井阳村"].due, cells["井阳村"].missing) == (0, 1, 1)
    assert cells["井阳村"].pending == 1
    # a month's table judges a quarterly kind over its quarter; 党小组会 count per party group
    may = compliance(Village.objects.filter(township=org.ta), period="month", year=2027, n=5)
    a1 = next(r for r in may.rows if r.village.name == "罗紫村")
    assert a1.cells[Kind.GROUP].due == 2 and a1.cells[Kind.GROUP].missing == 2


def test_members_without_attendance_are_listed_for_a_talk_and_after_six_months_flagged(org):
    m = org.a1_g1_members
    hold(org, Kind.LECTURE, datetime.date(2026, 11, 5), [Mark(member=x, presence=Presence.PRESENT) for x in m])
    feb = [
        Mark(member=m[0], presence=Presence.PRESENT),
        Mark(member=m[1], presence=Presence.REMOTE),
        Mark(member=m[2], presence=Presence.ABSENT, reason="sick"),
        Mark(member=m[3], presence=Presence.ABSENT, reason="personal"),
    ]
    hold(org, Kind.LECTURE, datetime.date(2027, 2, 10), feb)
    june = [
        Mark(member=m[1], presence=Presence.PRESENT),
        Mark(member=m[2], presence=Presence.ABSENT, reason="sick"),
        Mark(member=m[3], presence=Presence.ABSENT, reason="personal"),
    ]
    hold(org, Kind.LECTURE, datetime.date(2027, 6, 1), june)
    life = {r.member.name: r for r in member_life(org.a1)}
    assert life["罗紫党员1"].months_without == 3 and life["罗紫党员1"].talk_due
    assert life["罗紫党员2"].months_without == 0 and not life["罗紫党员2"].talk_due
    # six months without attending, but ill: listed for a talk, not flagged
    assert life["罗紫党员3"].months_without == 6 and not life["罗紫党员3"].flagged and life["罗紫党员3"].talk_due
    assert life["罗紫党员4"].flagged
    assert life["罗紫党员2"].hours == 8  # two 党课 of 4 学时 each in 2027


def test_the_county_table_shows_each_branch_with_its_township_its_counts_and_what_is_missing(org, county_viewer, login):
    """The rows are rendered in one step per branch (orglife_tables.compliance_rows): the same cells a template
    would write, names escaped, each branch linked to its page and its township's."""
    org.a2.name = "井阳<村>"
    org.a2.save()
    hold(org, Kind.ASSEMBLY, datetime.date(2027, 2, 10))
    page = login(county_viewer).get(reverse("orglife:county", args=[org.county.pk, 2027])).content.decode()
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    rows = {r.split("</td>")[0]: r for r in body.split("<tr>")[1:]}
    a1 = next(r for head, r in rows.items() if "罗紫村" in head)
    a2 = next(r for head, r in rows.items() if "井阳&lt;村&gt;" in head)
    assert "井阳<村>" not in body
    assert f'href="{reverse("orglife:village", args=[org.a1.pk, 2027])}"' in a1
    assert f'href="{reverse("orglife:township", args=[org.ta.pk, 2027])}">{org.ta.name}</a>' in a1
    # 支部党员大会: the first quarter held in 罗紫村, missed in 井阳村; the second quarter still under way
    assert '<td class="num">1/1<br><span class="small muted">待开1</span></td>' in a1
    assert '<td class="num missing">0/1<br><strong>缺1</strong></td>' in a2
    missing = sum(c.missing for c in next(r for r in _table(org).rows if r.village.pk == org.a2.pk).cells.values())
    assert a2.rstrip().endswith(f'<td class="num missing">{missing}</td></tr>') and missing >= 1


def _table(org):
    return compliance(Village.objects.filter(township=org.ta), period="year", year=2027, n=1)
