"""Models of orglife.committee (see orglife/models.py): who sits on the branch committee (支部委员会), in which post,
from a date until a date (the first day no longer held, as posts and group posts count it).

The 支委会's 应到 is the committee in office on the meeting's date (`orglife.committee.services.committee_on`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from audit.history import audit_history
from groups.models import InForceQuerySetMixin
from township.models import ScopedQuerySet

__all__ = ["CommitteeSeat"]


class CommitteeSeatQuerySet(InForceQuerySetMixin, ScopedQuerySet):
    scope_path = "village"


class CommitteeSeat(models.Model):
    """A member of the branch holding a post on its committee (书记, 副书记, 组织委员…) for a term."""

    class Post(models.TextChoices):
        SECRETARY = "secretary", "书记"
        DEPUTY = "deputy", "副书记"
        ORGANISATION = "organisation", "组织委员"
        PUBLICITY = "publicity", "宣传委员"
        DISCIPLINE = "discipline", "纪检委员"
        MEMBER = "member", "委员"

    village = models.ForeignKey(
        "township.Village", models.PROTECT, related_name="committee_seats", verbose_name="村党支部"
    )
    member = models.ForeignKey("members.PartyMember", models.PROTECT, related_name="+", verbose_name="党员")
    post = models.CharField("职务", max_length=12, choices=Post.choices)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = CommitteeSeatQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = "支部委员会成员"
        verbose_name_plural = "支部委员会成员"
        ordering = ["village", "-started_on", "post"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=F("started_on")),
                name="committee_seat_ends_after_start",
                violation_error_message="离任日期要晚于任职日期。",
            ),
            models.UniqueConstraint(
                fields=["village", "member", "post"],
                condition=Q(ended_on__isnull=True),
                name="committee_seat_one_open_per_member_post",
                violation_error_message="这名党员已担任这个职务：先填写离任日期再重新登记。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_post_display()}"
