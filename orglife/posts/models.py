"""Models of orglife.posts (see orglife/models.py): posts for members without office (无职党员设岗定责).

The survey's model has the members without office carry the abolished villager-group cadres' duties. The branch
defines its posts (政策宣传, 矛盾调解, 联系农户 with the households named, 环境卫生, 产业带头…), assigns members to
them from a date to a date, and credits the month's activities (the monthly report's `activity.Activity` rows) to
the post a member did them in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from audit.history import audit_history
from groups.models import InForceQuerySetMixin
from township.models import ScopedQuerySet, scoped_manager

__all__ = ["DutyAssignment", "DutyCredit", "DutyPost"]

TEXT_MAX = 2000


class DutyPost(models.Model):
    """A post the branch sets for its members without office."""

    class Kind(models.TextChoices):
        POLICY = "policy", "政策宣传"
        MEDIATION = "mediation", "矛盾调解"
        HOUSEHOLDS = "households", "联系农户"
        SANITATION = "sanitation", "环境卫生"
        INDUSTRY = "industry", "产业带头"
        SAFETY = "safety", "安全巡查"
        OTHER = "other", "其他"

    village = models.ForeignKey(
        "township.Village", models.PROTECT, related_name="duty_posts", verbose_name="村党支部", db_index=False
    )
    kind = models.CharField("岗位类别", max_length=12, choices=Kind.choices)
    title = models.CharField("岗位名称", max_length=50, help_text="如：3社联系农户岗。")
    villager_group = models.ForeignKey(
        "groups.VillagerGroup",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="所在村民小组",
        help_text="岗位只管一个社时选上；全村的岗位留空。",
    )
    households = models.TextField(
        "联系的农户", max_length=TEXT_MAX, blank=True, help_text="联系农户岗写明各户户主，用顿号隔开。"
    )
    duties = models.TextField("岗位职责", max_length=TEXT_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="设岗人"
    )
    created_at = models.DateTimeField("设岗时间", auto_now_add=True)

    objects = scoped_manager("village")
    history = audit_history()

    class Meta:
        verbose_name = "无职党员岗位"
        verbose_name_plural = "无职党员岗位"
        ordering = ["village__name", "kind", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "title"],
                name="duty_post_title_unique_in_village",
                violation_error_message="本支部已有同名岗位：请换一个名称。",
            ),
            models.CheckConstraint(
                condition=~Q(kind="households") | ~Q(households=""),
                name="duty_post_households_named",
                violation_error_message="联系农户岗要写明联系哪几户。",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DutyAssignmentQuerySet(InForceQuerySetMixin, ScopedQuerySet):
    scope_path = "post__village"


class DutyAssignment(models.Model):
    """A member holding a post from a date until a date (the first day no longer held), or on."""

    post = models.ForeignKey(DutyPost, models.PROTECT, related_name="assignments", verbose_name="岗位")
    member = models.ForeignKey(
        "members.PartyMember", models.PROTECT, related_name="duty_assignments", verbose_name="党员"
    )
    started_on = models.DateField("上岗日期")
    ended_on = models.DateField("离岗日期", null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="安排人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = DutyAssignmentQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = "党员上岗"
        verbose_name_plural = "党员上岗"
        ordering = ["post", "-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=F("started_on")),
                name="duty_assignment_ends_after_start",
                violation_error_message="离岗日期要晚于上岗日期。",
            ),
            models.UniqueConstraint(
                fields=["post", "member"],
                condition=Q(ended_on__isnull=True),
                name="duty_assignment_one_open_per_member_post",
                violation_error_message="这名党员已在这个岗位上：先填写离岗日期再重新安排。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.post}"


class DutyCredit(models.Model):
    """An activity of a monthly report credited to the post a member did it in."""

    assignment = models.ForeignKey(
        DutyAssignment, models.PROTECT, related_name="credits", verbose_name="上岗记录", db_index=False
    )
    activity = models.ForeignKey("activity.Activity", models.CASCADE, related_name="+", verbose_name="活动")
    note = models.CharField("履职说明", max_length=200, blank=True)
    credited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="记录人"
    )
    credited_at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = scoped_manager("assignment__post__village")
    history = audit_history()

    class Meta:
        verbose_name = "岗位履职"
        verbose_name_plural = "岗位履职"
        ordering = ["activity__held_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "activity"],
                name="duty_credit_once",
                violation_error_message="这项活动已记在这个岗位上。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.activity}"
