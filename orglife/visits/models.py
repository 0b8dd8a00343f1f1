"""Models of orglife.visits (see orglife/models.py): the township committee's contact points (联系点) and its visits.

The survey: the committee members regularly go down to the party groups to see the members' and villagers' thinking,
study, work and life, and help with hard problems. Each committee member (a township staff account) is assigned
villages or single party groups; a visit is logged by the member who made it, to a place assigned to them that day;
each problem taken up is followed up on the visit, or turned into a concern (党情民意) in the one queue of
`activity.Concern` rather than a second list.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from audit.history import audit_history
from core.words import day_cn
from groups.models import InForceQuerySetMixin
from township.models import ScopedQuerySet, scoped_manager

__all__ = ["ContactPoint", "Visit", "VisitProblem"]

TEXT_MAX = 2000


class ContactPointQuerySet(InForceQuerySetMixin, ScopedQuerySet):
    scope_path = "village"


class ContactPoint(models.Model):
    """A committee member's contact point: a whole village, or one party group of it, from a date to a date."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="contact_points", verbose_name="乡党委委员"
    )
    village = models.ForeignKey("township.Village", models.PROTECT, related_name="contact_points", verbose_name="村")
    party_group = models.ForeignKey(
        "groups.PartyGroup",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_points",
        verbose_name="党小组",
        help_text="留空表示联系整个村。",
    )
    started_on = models.DateField("起始日期")
    ended_on = models.DateField("截止日期", null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="安排人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ContactPointQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = "联系点"
        verbose_name_plural = "联系点"
        ordering = ["village__name", "party_group__name", "started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="contact_point_ends_after_start",
                violation_error_message="截止日期不能早于起始日期。",
            ),
        ]

    def __str__(self) -> str:
        place = f"{self.village.name}{self.party_group.name}" if self.party_group_id else self.village.name
        return f"{self.member.get_full_name() or self.member.username} · {place}"


class Visit(models.Model):
    """One visit of a committee member to a contact point: when, whom they met, what they learned."""

    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="visits", verbose_name="走访人")
    village = models.ForeignKey(
        "township.Village", models.PROTECT, related_name="visits", verbose_name="走访的村", db_index=False
    )
    party_groups = models.ManyToManyField(
        "groups.PartyGroup", blank=True, related_name="visits", verbose_name="走访的党小组"
    )
    visited_on = models.DateField("走访日期")
    met = models.TextField("见了谁", max_length=TEXT_MAX)
    learned = models.TextField("了解到的情况", max_length=TEXT_MAX)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = scoped_manager("village")
    history = audit_history(m2m_fields=[party_groups])

    class Meta:
        verbose_name = "联系点走访"
        verbose_name_plural = "联系点走访"
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["village", "visited_on"], name="visit_village_day_idx")]

    def __str__(self) -> str:
        return f"{day_cn(self.visited_on)} {self.village.name}"


class VisitProblem(models.Model):
    """A problem the visitor took up, and its follow-up; or the concern it became in the 党情民意 queue."""

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="problems", verbose_name="走访")
    description = models.TextField("问题", max_length=TEXT_MAX)
    follow_up = models.TextField("跟进情况", max_length=TEXT_MAX, blank=True)
    resolved_on = models.DateField("解决日期", null=True, blank=True)
    concern = models.OneToOneField(
        "activity.Concern",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_problem",
        verbose_name="转为党情民意",
    )

    objects = scoped_manager("visit__village")
    history = audit_history()

    class Meta:
        verbose_name = "走访发现的问题"
        verbose_name_plural = "走访发现的问题"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description[:30]
