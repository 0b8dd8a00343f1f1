"""A branch's and a township's to-do figures (organisational life, dues arrears, the branches that missed a meeting)
are kept until the village's data changes or the day ends (township/changes.py). The database counts every change
to what they are counted from, whoever makes it — a service, a bulk update, plain SQL — so the page never shows a
figure the data no longer has; a new day, another person's rights or a row emptied away is counted afresh."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dues.models import RateBand
from members.models import PartyMember
from orglife.meetings.models import Kind, OrgLifeSettings
from orglife.meetings.services import Mark, meeting_record
from tests.clock import beijing
from tests.kept import tables_read
from township import changes
from township.models import VillageChanges

pytestmark = pytest.mark.django_db


def _counts(*villages) -> list[int]:
    return [VillageChanges.objects.get(village=v).n for v in villages]


def _items(response) -> dict:
    assert response.status_code == 200
    return {t.key: t for t in response.context["todo"]}


def test_every_table_the_kept_figures_are_counted_from_has_its_trigger():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            names = {r[0] for r in cursor.fetchall()}
            expected = {n for t, counter, _ in changes.watches() for n in changes.trigger_names(t, counter)}
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'O'")
            names = {r[0] for r in cursor.fetchall()}
            expected = {name for _t, _counter, name in changes.watches()}
    assert expected <= names
    assert {"activity_concern_work", "activity_monthlyreport_work"} <= {name for _t, _c, name in changes.watches()}


# the person's rights, checked on every visit before anything kept is read
NOT_COUNTED = {"township_assignment"}


def test_what_the_kept_figures_read_is_every_table_counted(org, secretary_a1, township_staff, settings):
    """A table the counting reads and the triggers do not watch would leave a figure stale until the next day."""
    from core import clock
    from dashboards.todo import branch_life_todo, branches_missing_todo
    from dashboards.views import _township_figures
    from groups.selectors import warnings_for
    from township.models import Village

    settings.VILLAGE_FIGURES_KEPT = False
    with CaptureQueriesContext(connection) as branch:
        branch_life_todo(secretary_a1, org.a1, clock.today())
    villages = Village.objects.filter(township=org.ta)
    with CaptureQueriesContext(connection) as township:
        branches_missing_todo(villages, org.ta, clock.today())
        warnings_for(villages)
    from dashboards.todo import elections_todo, rectifications_todo, scores_todo, year_todo

    with CaptureQueriesContext(connection) as appraisal:  # the appraisal's to-do items: kept under both counts
        rectifications_todo(villages, clock.today())
        elections_todo(villages, clock.today(), None, "/", org.ta)
        scores_todo(org.ta, datetime.date(2027, 6, 15))
        year_todo(org.ta)
    read = tables_read(branch.captured_queries) | tables_read(township.captured_queries)
    # the regular expression finds them
    assert {"orglife_attendance", "dues_line", "members_standingchange", "groups_grouppost"} <= read
    assert read - NOT_COUNTED <= set(changes.tables())
    # the dashboards' own figures (kept under both counts) read the day's work too
    with CaptureQueriesContext(connection) as page:
        _township_figures(org.ta, villages, clock.today())
    work = tables_read(page.captured_queries) | tables_read(appraisal.captured_queries)
    assert {"activity_monthlyreport", "activity_concern", "appraisal_award", "appraisal_spotcheck"} <= work
    assert work - NOT_COUNTED <= set(changes.tables()) | set(changes.work_tables())


def test_each_kind_of_change_raises_the_count_of_the_villages_it_belongs_to(org, secretary_a1):
    changes.version([org.a1.pk, org.a2.pk, org.b1.pk])  # the rows a first visit makes
    assert _counts(org.a1, org.a2, org.b1) == [0, 0, 0]

    member = org.a1_g1_members[0]
    PartyMember.objects.filter(pk=member.pk).update(name="罗紫改名")  # a bulk update: no service, no signal
    a1, a2, b1 = _counts(org.a1, org.a2, org.b1)
    assert a1 > 0 and (a2, b1) == (0, 0)

    meeting_record(
        village=org.a1, kind=Kind.COMMITTEE, party_group=None, held_on=datetime.date(2027, 6, 10), topic="支委会",
        acting_user=secretary_a1, marks=[Mark(member=member, presence="present", reason="")],
    )  # fmt: skip
    before = a1
    a1, a2, b1 = _counts(org.a1, org.a2, org.b1)
    assert a1 > before and (a2, b1) == (0, 0)  # the meeting and its attendance

    with connection.cursor() as cursor:  # plain SQL too: the database counts, not the app
        cursor.execute("UPDATE orglife_attendance SET reason = '' WHERE member_id = %s", [member.pk])
    assert _counts(org.a1)[0] > a1

    before = _counts(org.a1, org.a2, org.b1)
    PartyMember.objects.filter(pk=member.pk).update(village=org.a2)  # a transfer: both villages
    after = _counts(org.a1, org.a2, org.b1)
    assert after[0] > before[0] and after[1] > before[1] and after[2] == before[2]

    before = after
    OrgLifeSettings.objects.create(township=org.ta, committee="quarter")  # a township's rule: its villages only
    after = _counts(org.a1, org.a2, org.b1)
    assert after[0] > before[0] and after[1] > before[1] and after[2] == before[2]

    before = after
    from tests.groups.test_fund_export import post

    post(org.a1_vgs[0], "100.00", day=datetime.date(2027, 6, 1))  # its balance only: no kept figure shows it
    assert _counts(org.a1, org.a2, org.b1) == before

    RateBand.objects.filter(pk=RateBand.objects.order_by("pk").values("pk")[:1]).update(percent=Decimal("0.5"))
    after = _counts(org.a1, org.a2, org.b1)
    assert all(x > y for x, y in zip(after, before, strict=True))  # the Party's rates: every village


def test_the_branch_dashboard_keeps_its_items_until_the_village_changes(
    org, secretary_a1, login, django_assert_num_queries
):
    client = login(secretary_a1)
    url = reverse("village", args=[org.a1.pk])
    client.get(url)  # a first visit fills per-process caches (content types, permissions)
    VillageChanges.objects.filter(village=org.a1).update(n=99)  # what is kept was for another count
    # counting afresh: the 14 queries of the items, the page's own figures, and keeping both (Django's database
    # cache: its rows counted, the key looked up and inserted, in a transaction)
    with django_assert_num_queries(56):
        first = _items(client.get(url))
    with django_assert_num_queries(10):  # kept: the village's counts and its four kept entries
        assert _items(client.get(url)) == first
    assert first["orglife_at_risk"].count > 0

    # a change in another village keeps them; one in this village counts them afresh at once
    meeting_record(
        village=org.a2, kind=Kind.COMMITTEE, party_group=None, held_on=datetime.date(2027, 6, 10), topic="支委会",
        acting_user=None, marks=[Mark(member=m, presence="present", reason="") for m in org.a2_members],
    )  # fmt: skip
    with django_assert_num_queries(10):
        client.get(url)
    everyone = org.a1_g1_members + org.a1_g2_members + [org.a1_loose]
    meeting_record(
        village=org.a1, kind=Kind.COMMITTEE, party_group=None, held_on=datetime.date(2027, 6, 10), topic="支委会",
        acting_user=secretary_a1, marks=[Mark(member=m, presence="present", reason="") for m in everyone],
    )  # fmt: skip
    after = _items(client.get(url))
    assert "orglife_at_risk" not in after  # everyone was at a meeting this month
    assert after["orglife_meetings"].count < first["orglife_meetings"].count


def test_a_new_day_is_counted_afresh_at_midnight_in_beijing(org, secretary_a1, login, frozen_at):
    frozen_at(beijing(2026, 12, 31, 23, 59) + datetime.timedelta(seconds=50), tick=False)
    client = login(secretary_a1)
    url = reverse("village", args=[org.a1.pk])
    assert _items(client.get(url))["orglife_meetings"].url == reverse("orglife:village", args=[org.a1.pk, 2026])
    frozen_at(beijing(2027, 1, 1, 0, 0) + datetime.timedelta(seconds=5), tick=False)  # 15 s later: a new year
    assert _items(client.get(url))["orglife_meetings"].url == reverse("orglife:village", args=[org.a1.pk, 2027])


def test_figures_kept_for_a_row_emptied_away_are_not_taken_for_the_new_rows(org, secretary_a1, login):
    """A restore or the tests' flush empties the counts' table but not the cache: the new row's token differs, so the
    count starting again from 0 does not find what was kept under the old row's 0."""
    client = login(secretary_a1)
    url = reverse("village", args=[org.a1.pk])
    assert _items(client.get(url))["orglife_at_risk"].count > 0
    VillageChanges.objects.filter(village=org.a1).delete()
    everyone = org.a1_g1_members + org.a1_g2_members + [org.a1_loose]
    meeting_record(  # no row to count this change in
        village=org.a1, kind=Kind.COMMITTEE, party_group=None, held_on=datetime.date(2027, 6, 10), topic="支委会",
        acting_user=secretary_a1, marks=[Mark(member=m, presence="present", reason="") for m in everyone],
    )  # fmt: skip
    assert "orglife_at_risk" not in _items(client.get(url))


def test_the_township_dashboard_keeps_the_branches_missing_until_one_changes(
    org, township_staff, secretary_a1, login, django_assert_num_queries
):
    from tests.test_todo import _hold_quarter

    client = login(township_staff)
    url = reverse("township", args=[org.ta.pk])
    client.get(url)
    with django_assert_num_queries(10):  # kept (tests/perf/test_query_counts.py pins it too)
        assert _items(client.get(url))["orglife_branches_missing"].count == 2
    _hold_quarter(org.a1, 2027, 1, township_staff)
    assert _items(client.get(url))["orglife_branches_missing"].count == 1


def test_with_keeping_off_every_visit_counts(org, secretary_a1, login, settings, django_assert_num_queries):
    settings.VILLAGE_FIGURES_KEPT = False
    client = login(secretary_a1)
    url = reverse("village", args=[org.a1.pk])
    client.get(url)
    with django_assert_num_queries(31):
        client.get(url)
    assert not VillageChanges.objects.exists()


def test_the_township_dashboards_warnings_are_kept_until_a_party_group_changes(org, township_staff, login):
    from tests.factories import PartyGroupFactory, PartyMemberFactory, elect, join

    client = login(township_staff)
    url = reverse("township", args=[org.ta.pk])

    def warned(kind: str) -> set[str]:
        response = client.get(url)
        assert response.status_code == 200
        return {w.subject for w in response.context["warnings"] if w.kind == kind}

    assert "罗紫新党小组" not in warned("no_leader")
    group = PartyGroupFactory(village=org.a1, name="罗紫新党小组")
    assert "罗紫新党小组" in warned("no_leader")  # a new party group, without a leader yet
    members = PartyMemberFactory.create_batch(3, village=org.a1)
    join(members, group)
    elect(group, datetime.date(2027, 6, 1), 3, members[0])
    assert "罗紫新党小组" not in warned("no_leader")  # its posts: the leader elected


def _work(*villages) -> list[int]:
    return [VillageChanges.objects.get(village=v).work for v in villages]


def test_the_days_work_raises_the_work_count_and_leaves_the_change_count(org, secretary_a1):
    """Reports, concerns, ledger postings and awards raise `work` of their village only; `n` (under which a branch's
    organisational-life and dues items are kept) stays, so entering the day's work does not count those afresh."""
    from activity.concerns.services import concern_record
    from activity.models import Concern
    from tests.groups.test_fund_export import post
    from tests.test_dashboards import record, submit

    changes.counts([org.a1.pk, org.a2.pk, org.b1.pk])
    n_before, work_before = _counts(org.a1, org.a2, org.b1), _work(org.a1, org.a2, org.b1)

    record(org.a1_g1, datetime.date(2027, 6, 1), secretary_a1)  # a report and its activity
    work = _work(org.a1, org.a2, org.b1)
    assert work[0] > work_before[0] and work[1:] == work_before[1:]

    before = work
    concern_record(
        villager_group=org.a1_vgs[0], raised_through=org.a1_g1_members[0], raised_on=datetime.date(2027, 6, 10),
        category=Concern.Category.choices[0][0], content="路灯坏了", handling="branch", acting_user=secretary_a1,
    )  # fmt: skip
    work = _work(org.a1, org.a2, org.b1)
    assert work[0] > before[0] and work[1:] == before[1:]

    before = work
    post(org.a1_vgs[0], "100.00", day=datetime.date(2027, 6, 1))  # a ledger posting: the balance and the entry
    work = _work(org.a1, org.a2, org.b1)
    assert work[0] > before[0] and work[1:] == before[1:]

    before = work
    with connection.cursor() as cursor:  # plain SQL: the database counts, not the app
        cursor.execute("UPDATE activity_monthlyreport SET summary = 'x' WHERE party_group_id = %s", [org.a1_g1.pk])
    assert _work(org.a1)[0] > before[0]

    submit(org.a1_g1, datetime.date(2027, 5, 1), secretary_a1)
    assert _counts(org.a1, org.a2, org.b1) == n_before  # none of this was organisational life, dues or members


def _row(response, village) -> dict:
    assert response.status_code == 200
    return next(r for r in response.context["rows"] if r["village"].pk == village.pk)


def test_the_township_dashboard_keeps_its_figures_until_the_days_work_changes(
    org, township_staff, secretary_a1, login, django_assert_num_queries
):
    from activity.concerns.services import concern_record
    from activity.models import Concern
    from tests.groups.test_fund_export import post
    from tests.test_dashboards import record, submit

    client = login(township_staff)
    url = reverse("township", args=[org.ta.pk])
    first = _row(client.get(url), org.a1)
    with django_assert_num_queries(10):  # kept: the villages' ids and counts, the three kept entries
        assert _row(client.get(url), org.a1) == first

    # another township's work keeps them
    record(next(iter(org.b1.party_groups.all())), datetime.date(2027, 6, 1), None)
    with django_assert_num_queries(10):
        client.get(url)

    # this township's is shown at once: a concern, a posting, a report handed in
    concern_record(
        villager_group=org.a1_vgs[0], raised_through=org.a1_g1_members[0], raised_on=datetime.date(2027, 6, 10),
        category=Concern.Category.choices[0][0], content="路灯坏了", handling="branch", acting_user=secretary_a1,
    )  # fmt: skip
    assert _row(client.get(url), org.a1)["open"] == first["open"] + 1
    post(org.a1_vgs[0], "100.00", day=datetime.date(2027, 6, 1))
    assert _row(client.get(url), org.a1)["balance"] == (first["balance"] or 0) + Decimal("100.00")
    submit(org.a1_g1, datetime.date(2027, 6, 1), secretary_a1)
    assert _row(client.get(url), org.a1)["cur_done"] == first["cur_done"] + 1
    response = client.get(url)
    assert "罗紫" in response.content.decode()  # the villages' rows are rendered from what was kept


def test_the_branch_dashboard_shows_the_days_work_at_once_and_keeps_its_organisational_life_items(
    org, secretary_a1, login, django_assert_num_queries
):
    from activity.concerns.services import concern_record
    from activity.models import Concern
    from tests.groups.test_fund_export import post
    from tests.test_dashboards import submit

    client = login(secretary_a1)
    url = reverse("village", args=[org.a1.pk])
    first = client.get(url)
    assert first.status_code == 200
    items = _items(first)

    concern_record(
        villager_group=org.a1_vgs[0], raised_through=org.a1_g1_members[0], raised_on=datetime.date(2027, 6, 10),
        category=Concern.Category.choices[0][0], content="路灯坏了", handling="branch", acting_user=secretary_a1,
    )  # fmt: skip
    post(org.a1_vgs[0], "100.00", day=datetime.date(2027, 6, 1))
    submit(org.a1_g1, datetime.date(2027, 6, 1), secretary_a1)
    # counted afresh: the page's own figures (and keeping them); the organisational-life and dues items stay kept
    with CaptureQueriesContext(connection) as counted:
        after = client.get(url)
    assert not any("orglife_attendance" in q["sql"] or "dues_line" in q["sql"] for q in counted.captured_queries)
    assert after.context["concerns"]["total"] == first.context["concerns"]["total"] + 1
    assert after.context["balance"] == (first.context["balance"] or 0) + Decimal("100.00")
    assert after.context["completion"]["cur_done"] == first.context["completion"].get("cur_done", 0) + 1
    assert _items(after).keys() == items.keys()
    with django_assert_num_queries(10):
        client.get(url)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite rebuilds a table to alter it; PostgreSQL alters it")
@pytest.mark.django_db(transaction=True)
def test_a_migration_rebuilding_a_counted_table_on_sqlite_goes_through_and_the_counting_goes_on(org):
    """What `migrate` does around its migrations (pre_migrate, the migrations, post_migrate), with a migration that
    rebuilds the members' table as SQLite does to alter one (copy, drop, rename): the triggers naming it are off
    meanwhile (they stop the rename otherwise), and made again after, so the count goes on rising."""
    from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal

    def triggers() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            return {name for (name,) in cursor.fetchall()}

    counted = set(changes.trigger_names("members_partymember"))
    assert counted <= triggers()
    emit_pre_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    with connection.schema_editor() as editor:
        editor._remake_table(PartyMember)
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert counted <= triggers()
    member = PartyMember.objects.filter(village=org.a1).first()
    before = VillageChanges.objects.get_or_create(village=org.a1, defaults={"token": "t"})[0].n
    PartyMember.objects.filter(pk=member.pk).update(name="改名")
    assert VillageChanges.objects.get(village=org.a1).n > before
