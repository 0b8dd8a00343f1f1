"""A party group's 党小组会 becomes one record: every 党小组会 typed as an activity of a monthly report gets its
organisational-life meeting (the activity's date, its text as topic and content, its participants present and the
group's other members of that day absent with reason 其他, since nobody recorded why), or is linked to the group's
unlinked 党小组会 of the same day where one was recorded already; every 党小组会 already linked to a report gets the
report's activity. Nothing is lost and nothing counts twice. Backwards it changes nothing (the links go with the
column when 0003 is reversed; recording again links the same rows)."""

from decimal import Decimal

from django.db import migrations
from django.db.models import Q


def _group_members_on(GroupPost, group_id, day):
    posts = GroupPost.objects.filter(party_group_id=group_id, started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )
    return set(posts.values_list("member_id", flat=True))


def link(apps, schema_editor):
    Activity = apps.get_model("activity", "Activity")
    MonthlyReport = apps.get_model("activity", "MonthlyReport")
    Meeting = apps.get_model("orglife", "Meeting")
    Attendance = apps.get_model("orglife", "Attendance")
    GroupPost = apps.get_model("groups", "GroupPost")
    linked = Meeting.objects.filter(activity__isnull=False).values("activity_id")
    activities = (
        Activity.objects.filter(kind="meeting")
        .exclude(pk__in=linked)
        .select_related("report__party_group")
        .order_by("held_on", "pk")
    )
    for activity in activities:
        group = activity.report.party_group
        same = (
            Meeting.objects.filter(kind="group", party_group=group, held_on=activity.held_on, activity__isnull=True)
            .order_by("pk")
            .first()
        )
        if same is not None:
            same.activity = activity
            same.report = activity.report
            same.save(update_fields=["activity", "report"])
            continue
        text = activity.content.strip()
        meeting = Meeting.objects.create(
            village_id=group.village_id,
            party_group=group,
            kind="group",
            held_on=activity.held_on,
            topic=(text.splitlines()[0] if text else "党小组会")[:200],
            content=text[:2000],
            decisions=activity.outcome[:2000],
            study_hours=Decimal("1"),
            report=activity.report,
            activity=activity,
        )
        present = set(activity.participants.values_list("pk", flat=True))
        absent = _group_members_on(GroupPost, group.pk, activity.held_on) - present
        Attendance.objects.bulk_create(
            [Attendance(meeting=meeting, member_id=pk, presence="present", reason="") for pk in sorted(present)]
            + [Attendance(meeting=meeting, member_id=pk, presence="absent", reason="other") for pk in sorted(absent)]
        )
    touched = set()
    for meeting in Meeting.objects.filter(kind="group", report__isnull=False, activity__isnull=True).order_by("pk"):
        content = f"{meeting.topic}：{meeting.content}" if meeting.content else meeting.topic
        activity = Activity.objects.create(
            report_id=meeting.report_id,
            kind="meeting",
            held_on=meeting.held_on,
            content=content[:2000],
            outcome=meeting.decisions[:2000],
        )
        came = Attendance.objects.filter(meeting=meeting).exclude(presence="absent").values_list("member_id", flat=True)
        activity.participants.set(list(came))
        meeting.activity = activity
        meeting.save(update_fields=["activity"])
        touched.add(meeting.report_id)
    for report in MonthlyReport.objects.filter(pk__in=touched):
        report.activity_count = Activity.objects.filter(report=report).count()
        report.save(update_fields=["activity_count"])


class Migration(migrations.Migration):
    dependencies = [
        ("orglife", "0003_meeting_report_activity"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
