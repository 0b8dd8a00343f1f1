"""A party group's monthly 党小组会 is one record: the organisational-life meeting (kind 党小组会, with each member's
attendance) is the original, and its group's monthly report lists it as an activity of kind 党小组会 that this module
keeps in step, in the same transaction as the meeting is written. The report, its month's checks and the year-end
rubric ("每月召开党小组会") count that activity, so nothing is typed twice and nothing counts twice.

Whoever enters the group's monthly report may record its 党小组会 (`orglife.group_meeting`: the branch, the township,
and a group leader for their own group where the branch lets leaders enter their month); every other meeting needs
`orglife.write` on the branch.
"""

from __future__ import annotations

from activity.reports.services import meeting_activity_save
from core.stamp import stamp
from orglife.meetings.models import Attendance, Kind, Meeting, Presence
from township.capabilities import require


def _own_group_meeting(village, kind: str, party_group) -> bool:
    return kind == Kind.GROUP and party_group is not None and party_group.village_id == village.pk


def may_record(user, *, village, kind: str, party_group=None) -> bool:
    """Whether the user may record a meeting of this kind for the branch (a 党小组会: for this party group)."""
    if _own_group_meeting(village, kind, party_group):
        return user.has_perm("orglife.group_meeting", party_group)
    return user.has_perm("orglife.write", village)


def require_may_record(user, *, village, kind: str, party_group=None) -> None:
    """In a service: refuse (PermissionDenied) who may not record it; `user=None` is a system action."""
    if _own_group_meeting(village, kind, party_group):
        require(user, "orglife.group_meeting", party_group)
    else:
        require(user, "orglife.write", village)


def activity_text(meeting: Meeting) -> tuple[str, str]:
    """What the report's activity says: the topic and the content (what was done), the decisions (what came of it)."""
    content = meeting.topic if not meeting.content else f"{meeting.topic}：{meeting.content}"
    return content, meeting.decisions


def activity_sync(meeting: Meeting, *, acting_user, system: bool = False) -> None:
    """Make the report's 党小组会 activity say what the meeting says (date, the members present or remote, the text),
    creating it the first time; call it inside the transaction that records or corrects the meeting. A meeting that is
    not a 党小组会, or has no report (a back-fill before the reports exist), has none."""
    if meeting.kind != Kind.GROUP or meeting.report_id is None:
        return
    present = (
        Attendance.objects.filter(meeting=meeting)
        .exclude(presence=Presence.ABSENT)
        .select_related("member")
        .order_by("member__name")
    )
    content, outcome = activity_text(meeting)
    created = meeting.activity_id is None
    activity = meeting_activity_save(
        report=meeting.report,
        held_on=meeting.held_on,
        content=content,
        outcome=outcome,
        participants=[row.member for row in present],
        activity=meeting.activity,
        acting_user=acting_user,
        system=system,
    )
    if created:
        meeting.activity = activity
        stamp(meeting, acting_user).save(update_fields=["activity"])
