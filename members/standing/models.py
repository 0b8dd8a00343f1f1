"""A member's standing over time (党籍变动): every change with its date, decision, document number and who recorded it.

The history is the record; `PartyMember.status` and `PartyMember.left_on` are caches of its latest row, written only
by the one service that appends to it (`groups.standing.services.standing_record`), so that the many pages and
rooms that ask "is this person a member now" keep a cheap indexed filter. Questions about a past date ("how many
members on 2025-12-31") are answered from the history itself (`members.standing.selectors.state_at`).

Each row keeps the state before and after it: a member's state on a day is the state after their latest change on
or before that day, or, before their first recorded change, the state before it. A member with no recorded change
at all (entered before the history existed, or by a roster import) is in their cached state from the day they
joined.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core import clock
from members.models import PartyMember
from township.models import ConstraintErrorsOnFields, scoped_manager

State = PartyMember.Status
IN_PARTY = (State.PROBATIONARY, State.FULL)  # counted as members on a day
ON_ROSTER = (*IN_PARTY, State.SUSPENDED)  # on the branch's roster on a day: 停止党籍 still the branch's
OUT = State.LEFT


__all__ = ["IN_PARTY", "ON_ROSTER", "OUT", "ReviewHandling", "StandingChange", "StandingRules"]


class StandingChange(models.Model):
    """One change of a member's standing (党籍变动). Append-only: a wrong row is answered by a later one."""

    class Kind(models.TextChoices):
        JOINED = "joined", "入党（预备党员）"
        CONFIRMED = "confirmed", "转正"
        EXTENDED = "extended", "延长预备期"
        CANCELLED = "cancelled", "取消预备资格"
        TRANSFER_IN = "transfer_in", "转入"
        TRANSFER_OUT = "transfer_out", "转出"
        DIED = "died", "去世"
        STRUCK_OFF = "struck_off", "除名"
        EXPELLED = "expelled", "开除党籍"
        PERSUADED = "persuaded", "劝退"
        LAPSED = "lapsed", "自行脱党"
        SUSPENDED = "suspended", "停止党籍"
        RESTORED = "restored", "恢复党籍"
        # Only the move of the old single `left_on` date into the history: it never said why the member left.
        LEFT = "left", "离开本支部（原因未登记）"

    member = models.ForeignKey(
        PartyMember, models.PROTECT, related_name="standing_changes", verbose_name="党员", db_index=False
    )
    kind = models.CharField("变动", max_length=12, choices=Kind.choices)
    on = models.DateField("日期")
    state_before = models.CharField("变动前", max_length=12, choices=State.choices)
    state_after = models.CharField("变动后", max_length=12, choices=State.choices)
    decision = models.CharField("决定", max_length=200, blank=True, help_text="如：支部大会决议、乡党委批复")
    document_no = models.CharField("文号", max_length=60, blank=True)
    organisation = models.CharField(
        "转出（转入）党组织", max_length=100, blank=True, help_text="组织关系转接时填写对方党组织的全称"
    )
    letter_no = models.CharField("介绍信编号", max_length=60, blank=True)
    probation_until = models.DateField("预备期满", null=True, blank=True)
    notes = models.TextField("说明", max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", default=clock.now)

    objects = scoped_manager("member__village")

    class Meta:
        verbose_name = "党籍变动"
        verbose_name_plural = "党籍变动"
        ordering = ["member", "on", "pk"]
        indexes = [models.Index(fields=["member", "on"], name="standing_member_on_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(probation_until__isnull=True) | Q(probation_until__gt=F("on")),
                name="standing_probation_after_change",
                violation_error_message="预备期满日期应在变动日期之后。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.on:%Y-%m-%d} {self.get_kind_display()}"


class StandingRules(models.Model):
    """A township's own choices about standing (the party's rules leave them to the township committee)."""

    township = models.OneToOneField(
        "township.Township", models.CASCADE, related_name="standing_rules", verbose_name="乡镇"
    )
    probationary_may_be_excellent = models.BooleanField(
        "预备党员可评为优秀党员", default=False, help_text="默认不可：预备党员尚未转正，一般不参加优秀党员评选。"
    )

    class Meta:
        verbose_name = "党籍规则"
        verbose_name_plural = "党籍规则"

    def __str__(self) -> str:
        return f"{self.township}的党籍规则"


class ReviewHandling(ConstraintErrorsOnFields, models.Model):
    """How the branch handles a member graded 不合格 in the year's 民主评议: 限期改正 (with a deadline up to a year and
    the follow-up result), 劝退 or 除名."""

    class Measure(models.TextChoices):
        CORRECT = "correct", "限期改正"
        PERSUADE = "persuade", "劝退"
        STRIKE = "strike", "除名"

    class Result(models.TextChoices):
        CORRECTED = "corrected", "已改正"
        NOT_CORRECTED = "not_corrected", "逾期仍未改正"

    review = models.OneToOneField(
        "members.AnnualReview", models.PROTECT, related_name="handling", verbose_name="民主评议等次"
    )
    measure = models.CharField("处置方式", max_length=12, choices=Measure.choices)
    decided_on = models.DateField("决定日期")
    deadline = models.DateField("改正期限", null=True, blank=True, help_text="限期改正时填写，最长一年")
    decision = models.CharField("决定", max_length=200, blank=True)
    document_no = models.CharField("文号", max_length=60, blank=True)
    result = models.CharField("改正结果", max_length=16, choices=Result.choices, blank=True)
    result_on = models.DateField("结果日期", null=True, blank=True)
    result_notes = models.TextField("结果说明", max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="登记人"
    )

    constraint_error_fields = {"handling_deadline_for_correction": "deadline"}
    objects = scoped_manager("review__member__village")

    class Meta:
        verbose_name = "不合格党员处置"
        verbose_name_plural = "不合格党员处置"
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(measure="correct", deadline__gt=F("decided_on")) | (~Q(measure="correct")),
                name="handling_deadline_for_correction",
                violation_error_message="限期改正须填写决定日期之后的改正期限。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review.member} {self.get_measure_display()}"

    @property
    def is_open(self) -> bool:
        return self.measure == self.Measure.CORRECT and not self.result
