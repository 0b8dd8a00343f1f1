"""Models of orglife.meetings (see orglife/models.py): a branch's or party group's meetings (三会一课, 主题党日,
组织生活会) and 谈心谈话 records, each member's attendance, the votes at a 支部党员大会, the township's settings
(how often each kind is due, the study-hours target) and its monthly theme for 主题党日.

应到/实到 are never typed: they are counted from the attendance rows (`Meeting.expected` / `Meeting.attended`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import LessThanOrEqual

from audit.history import audit_history
from core.words import day_cn, month_cn
from township.models import ConstraintErrorsOnFields, ScopedQuerySet, scoped_manager


class Kind(models.TextChoices):
    ASSEMBLY = "assembly", "支部党员大会"
    COMMITTEE = "committee", "支部委员会"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    LIFE = "life", "组织生活会"
    TALK = "talk", "谈心谈话"


class Period(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    YEAR = "year", "每年"


class Presence(models.TextChoices):
    PRESENT = "present", "出席"
    REMOTE = "remote", "远程参加"
    ABSENT = "absent", "缺席"


class AbsenceReason(models.TextChoices):
    SICK = "sick", "病假"
    AWAY_WORK = "away_work", "外出务工"
    PERSONAL = "personal", "事假"
    OTHER = "other", "其他"


# Absences the Party accepts as a reason not to attend (illness, an approved away status): they do not count towards
# the six months that flag a member for the branch committee (党章第九条).
ACCEPTED_REASONS = frozenset({AbsenceReason.SICK, AbsenceReason.AWAY_WORK})


class MeetingQuerySet(ScopedQuerySet):
    scope_path = "village"


class Meeting(ConstraintErrorsOnFields, models.Model):
    """One meeting of a village branch, or of one of its party groups (党小组会), or a 谈心谈话 between two members."""

    village = models.ForeignKey(
        "township.Village", models.PROTECT, related_name="meetings", verbose_name="村党支部", db_index=False
    )
    party_group = models.ForeignKey(
        "groups.PartyGroup", models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name="党小组"
    )
    kind = models.CharField("会议类型", max_length=12, choices=Kind.choices)
    held_on = models.DateField("日期")
    place = models.CharField("地点", max_length=100, blank=True)
    host = models.ForeignKey(
        "members.PartyMember", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="主持人"
    )
    recorder = models.ForeignKey(
        "members.PartyMember", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="记录人"
    )
    # 谈心谈话: the host is the one who talks, `talk_with` the member talked with.
    talk_with = models.ForeignKey(
        "members.PartyMember", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="谈话对象"
    )
    topic = models.CharField("议题", max_length=200)
    content = models.TextField("内容", max_length=2000, blank=True)
    decisions = models.TextField("决定事项", max_length=2000, blank=True)
    study_hours = models.DecimalField(
        "计入学时",
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    theme = models.ForeignKey(
        "orglife.MonthlyTheme", models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name="月度主题"
    )
    # A party group's monthly 党小组会 is the same meeting its monthly report counts: entered once, linked here.
    report = models.ForeignKey(
        "activity.MonthlyReport",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="orglife_meetings",
        verbose_name="月度报告",
    )
    # ...and the activity this 党小组会 is in that report's list (kept by `orglife.meetings.report_link`): the report,
    # its month's checks and the year-end rubric count the activity, so the meeting is never typed twice.
    activity = models.OneToOneField(
        "activity.Activity",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="orglife_meeting",
        verbose_name="月度报告中的活动",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    constraint_error_fields = {"meeting_talk_not_with_oneself": "talk_with", "meeting_group_has_group": "party_group"}
    objects = MeetingQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = "组织生活会议"
        verbose_name_plural = "组织生活会议"
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(talk_with__isnull=True) | ~Q(talk_with=F("host")),
                name="meeting_talk_not_with_oneself",
                violation_error_message="谈心谈话是两个人之间的：谈话人和谈话对象不能是同一个人。",
            ),
            models.CheckConstraint(
                condition=~Q(kind="group") | Q(party_group__isnull=False),
                name="meeting_group_has_group",
                violation_error_message="党小组会要选是哪个党小组开的。",
            ),
        ]
        indexes = [
            # covering on PostgreSQL: the compliance tables count a county's year of meetings from the index alone
            models.Index(
                fields=["village", "held_on"],
                name="meeting_village_day_idx",
                include=["kind", "party_group", "host", "talk_with"],
            )
        ]

    def __str__(self) -> str:
        return f"{day_cn(self.held_on)} {self.get_kind_display()}"

    @property
    def is_talk(self) -> bool:
        return self.kind == Kind.TALK


class Attendance(models.Model):
    """A member expected at a meeting (应到), and whether they came (实到: present or remote) or why not."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attendance", verbose_name="会议", db_index=False)
    member = models.ForeignKey(
        "members.PartyMember", models.PROTECT, related_name="+", verbose_name="党员", db_index=False
    )
    presence = models.CharField("出席情况", max_length=8, choices=Presence.choices, default=Presence.PRESENT)
    reason = models.CharField("缺席原因", max_length=10, choices=AbsenceReason.choices, blank=True)

    objects = scoped_manager("meeting__village")
    history = audit_history()

    class Meta:
        verbose_name = "出席记录"
        verbose_name_plural = "出席记录"
        ordering = ["meeting", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_meeting"),
            models.CheckConstraint(
                condition=(Q(presence="absent") & ~Q(reason="")) | (~Q(presence="absent") & Q(reason="")),
                name="attendance_reason_only_when_absent",
            ),
        ]
        indexes = [models.Index(fields=["member", "presence"], name="attendance_member_idx")]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_presence_display()}"

    @property
    def attended(self) -> bool:
        return self.presence != Presence.ABSENT


class Vote(models.Model):
    """A vote at a 支部党员大会: only full members are entitled (预备党员 do not vote, 党章第七条); the vote is
    valid only when more than half of the entitled attend. Entitled and attending are counted from the attendance
    when recorded."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="votes", verbose_name="会议")
    subject = models.CharField("表决事项", max_length=200)
    entitled = models.PositiveSmallIntegerField("有表决权的正式党员")
    attending = models.PositiveSmallIntegerField("到会的正式党员")
    votes_for = models.PositiveSmallIntegerField("赞成")
    votes_against = models.PositiveSmallIntegerField("反对")
    abstaining = models.PositiveSmallIntegerField("弃权")
    is_valid = models.BooleanField("表决有效")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="登记人"
    )

    objects = scoped_manager("meeting__village")
    history = audit_history()

    class Meta:
        verbose_name = "表决"
        verbose_name_plural = "表决"
        ordering = ["meeting", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(attending__lte=F("entitled")), name="vote_attending_within_entitled"),
            models.CheckConstraint(
                condition=LessThanOrEqual(F("votes_for") + F("votes_against") + F("abstaining"), F("attending")),
                name="vote_not_more_than_attending",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def passed(self) -> bool:
        return self.is_valid and self.votes_for * 2 > self.attending


class OrgLifeSettings(models.Model):
    """The township's settings for organisational life: how often each kind of meeting is due, and the study hours
    a member should reach in a year. A township without a row has the Party's defaults (`orglife.meetings.rules`)."""

    township = models.OneToOneField(
        "township.Township", models.CASCADE, related_name="orglife_settings", verbose_name="乡镇"
    )
    assembly = models.CharField("支部党员大会", max_length=8, choices=Period.choices, default=Period.QUARTER)
    committee = models.CharField("支部委员会", max_length=8, choices=Period.choices, default=Period.MONTH)
    group = models.CharField("党小组会", max_length=8, choices=Period.choices, default=Period.MONTH)
    lecture = models.CharField("党课", max_length=8, choices=Period.choices, default=Period.QUARTER)
    theme_day = models.CharField("主题党日", max_length=8, choices=Period.choices, default=Period.MONTH)
    life = models.CharField("组织生活会", max_length=8, choices=Period.choices, default=Period.YEAR)
    talk = models.CharField("谈心谈话（与每名党员）", max_length=8, choices=Period.choices, default=Period.YEAR)
    study_hours_target = models.DecimalField(
        "每名党员每年学习学时",
        max_digits=4,
        decimal_places=1,
        default=Decimal("32"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("200"))],
    )

    history = audit_history()

    class Meta:
        verbose_name = "组织生活设置"
        verbose_name_plural = "组织生活设置"

    def __str__(self) -> str:
        return f"{self.township}组织生活设置"

    def period_of(self, kind: str) -> str:
        return getattr(self, kind)


class MonthlyTheme(models.Model):
    """The township's theme for a month's 主题党日, published by township staff; branches' 主题党日 link to it."""

    township = models.ForeignKey(
        "township.Township", models.PROTECT, related_name="+", verbose_name="乡镇", db_index=False
    )
    month = models.DateField("月份")
    title = models.CharField("主题", max_length=200)
    materials = models.TextField("学习材料和要求", max_length=2000, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="发布人"
    )

    history = audit_history()

    class Meta:
        verbose_name = "主题党日月度主题"
        verbose_name_plural = "主题党日月度主题"
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "month"],
                name="theme_one_per_township_month",
                violation_error_message="这个月已经发布了主题：一个月只有一个主题。",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="theme_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{month_cn(self.month)}：{self.title}"
