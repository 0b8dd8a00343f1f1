"""Monthly party-group activity (月度报告), concerns relayed from villagers (党情民意) and collective projects."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from audit.history import audit_history
from core import periods
from core.words import day_cn, month_cn
from groups.models import households_within_limit, population_within_limit
from township.models import ScopedQuerySet, scoped_manager


class MonthlyReportQuerySet(ScopedQuerySet):
    scope_path = "party_group__village"

    def done(self):
        """Reports that are in: submitted, or closed since (`MonthlyReport.DONE`)."""
        return self.filter(status__in=MonthlyReport.DONE)


class MonthlyReport(models.Model):
    """One party group's record of one month: draft → submitted → closed (reopening is logged)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        CLOSED = "closed", _("closed")

    # A month's report is done once it is in: submitted, or closed by the branch after that. Reopened, it is a draft
    # again and no longer done.
    DONE = (Status.SUBMITTED, Status.CLOSED)

    party_group = models.ForeignKey(
        "groups.PartyGroup", models.PROTECT, related_name="reports", verbose_name=_("party group"), db_index=False
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(_("summary of the month"), max_length=2000, blank=True)
    # Optimistic locking: a save names the version it was read at; a stale version is refused, never overwritten.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("closed by")
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("changed by")
    )
    activity_count = models.PositiveSmallIntegerField(_("activities"), default=0, editable=False)

    objects = MonthlyReportQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month", "party_group__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_group", "month"],
                name="report_one_per_group_month",
                violation_error_message=_("This party group already has a report for this month."),
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="report_month_first_day"),
        ]
        indexes = [
            models.Index(fields=["month", "status"], name="report_month_status_idx"),
            # A covering index (PostgreSQL's INCLUDE): the dashboards' twelve-month activity chart and this and last
            # month's completion read each group's reports from the index alone, never the scattered table rows.
            # On SQLite INCLUDE is left out (models.W040, silenced in settings) and the plain index serves.
            models.Index(
                fields=["party_group", "month"],
                include=["activity_count", "status"],
                name="report_group_month_cover_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_group} {month_cn(self.month)}"

    @property
    def is_done(self) -> bool:
        return report_done(self.status)

    def due_on(self, due_day: int) -> datetime.date:
        return periods.month_due(self.month, due_day)

    def month_range(self) -> tuple[datetime.date, datetime.date]:
        return periods.month_range(self.month)


def report_done(status: str | None) -> bool:
    """Whether a report in this status (None: no report yet) is in."""
    return status in MonthlyReport.DONE


def past_due(month: datetime.date, due_day: int, today: datetime.date) -> bool:
    """Whether the month's due day, `due_day` of the following month, is behind `today`."""
    return today > periods.month_due(month, due_day)


def report_overdue(status: str | None, month: datetime.date, due_day: int, today: datetime.date) -> bool:
    """A month is overdue when its report is not done (submitted or closed) by the due day of the following month."""
    return not report_done(status) and past_due(month, due_day, today)


class ReportReopening(models.Model):
    """The record of a closed month being opened again, with the reason: late changes are never silent."""

    report = models.ForeignKey(MonthlyReport, models.PROTECT, related_name="reopenings", verbose_name=_("report"))
    reason = models.TextField(_("reason"), max_length=2000)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("reopened by")
    )
    reopened_at = models.DateTimeField(_("reopened at"), auto_now_add=True)

    objects = scoped_manager("report__party_group__village")

    class Meta:
        verbose_name = _("reopening")
        verbose_name_plural = _("reopenings")
        ordering = ["-reopened_at"]

    def __str__(self) -> str:
        return f"{self.report} · {self.reason[:20]}"


class Activity(models.Model):
    """One thing a party group did in the month."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("party group meeting")
        VISIT = "visit", _("household visits")
        POLICY = "policy", _("policy publicity")
        MEDIATION = "mediation", _("dispute mediation")
        RIGHTS = "rights", _("protecting farmers' rights")
        AFFAIRS = "affairs", _("villager group affairs")
        PROJECT = "project", _("collective project")
        EMERGENCY = "emergency", _("emergency response")
        STUDY = "study", _("study and education")

    report = models.ForeignKey(
        MonthlyReport, models.CASCADE, related_name="activities", verbose_name=_("report"), db_index=False
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    held_on = models.DateField(_("date"))
    is_emergency = models.BooleanField(_("emergency (not routine)"), default=False)
    villager_group = models.ForeignKey(
        "groups.VillagerGroup",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("villager group"),
    )
    participants = models.ManyToManyField(
        "members.PartyMember", blank=True, related_name="activities", verbose_name=_("party members taking part")
    )
    households_reached = models.PositiveIntegerField(
        _("households reached"), default=0, validators=[households_within_limit]
    )
    non_party_present = models.PositiveIntegerField(
        _("non-party villagers present"), default=0, validators=[population_within_limit]
    )
    content = models.TextField(_("what was done"), max_length=2000)
    outcome = models.TextField(_("what came of it"), max_length=2000, blank=True)

    objects = scoped_manager("report__party_group__village")
    history = audit_history(m2m_fields=[participants])

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["held_on", "pk"]
        indexes = [models.Index(fields=["report", "held_on"], name="activity_report_day_idx")]

    def __str__(self) -> str:
        return f"{self.held_on.month}月{self.held_on.day}日 {self.get_kind_display()}"


class Concern(models.Model):
    """党情民意: what a villager raised, through a party member, and how it was handled."""

    class Category(models.TextChoices):
        HOT = "hot", _("hot issue")
        POLICY = "policy", _("policy question")
        DISPUTE = "dispute", _("dispute")
        RIGHTS = "rights", _("farmers' rights")
        INFRASTRUCTURE = "infrastructure", _("infrastructure")
        LIVELIHOOD = "livelihood", _("production and livelihood")
        OTHER = "other", _("other")

    class Handling(models.TextChoices):
        ON_SPOT = "on_spot", _("handled on the spot")
        BRANCH = "branch", _("relayed to the branch")
        TOWNSHIP = "township", _("relayed to the township")

    village = models.ForeignKey(
        "township.Village", models.PROTECT, related_name="concerns", verbose_name=_("village"), db_index=False
    )
    villager_group = models.ForeignKey(
        "groups.VillagerGroup", models.PROTECT, related_name="concerns", verbose_name=_("villager group")
    )
    party_group = models.ForeignKey(
        "groups.PartyGroup",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("party group"),
    )
    raised_through = models.ForeignKey(
        "members.PartyMember",
        models.PROTECT,
        related_name="concerns",
        verbose_name=_("raised by or through"),
    )
    villager_name = models.CharField(_("villager's name (optional)"), max_length=30, blank=True)
    raised_on = models.DateField(_("raised on"))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    content = models.TextField(_("what was said"), max_length=2000)
    handling = models.CharField(_("handling"), max_length=10, choices=Handling.choices)
    due_on = models.DateField(_("answer due by"), null=True, blank=True)
    # The day it was last passed up (to the branch, or on to the township); the full trail is in the history rows.
    relayed_on = models.DateField(_("relayed on"), null=True, blank=True)
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_by = models.CharField(_("answered by"), max_length=50, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    # A dispute (矛盾纠纷) settled by mediation: the answer says how the parties made peace.
    settled_by_mediation = models.BooleanField(_("dispute settled by mediation"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = scoped_manager("village")
    history = audit_history()

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["resolved_on", "due_on", "raised_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(handling="on_spot") | Q(due_on__isnull=False),
                name="concern_relayed_has_due_date",
                violation_error_message=_("A relayed concern needs a date by which it must be answered."),
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("raised_on")),
                name="concern_resolved_after_raised",
                violation_error_message=_("It cannot be resolved before it was raised."),
            ),
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(due_on__gte=F("raised_on")),
                name="concern_due_after_raised",
                violation_error_message=_("The answer cannot be due before the concern was raised."),
            ),
            models.CheckConstraint(
                condition=Q(relayed_on__isnull=True) | Q(relayed_on__gte=F("raised_on")),
                name="concern_relayed_after_raised",
                violation_error_message=_("It cannot be relayed before it was raised."),
            ),
            models.CheckConstraint(
                condition=Q(settled_by_mediation=False) | Q(category="dispute", resolved_on__isnull=False),
                name="concern_settled_is_resolved_dispute",
                violation_error_message=_("Only a dispute that is resolved can be marked as settled by mediation."),
            ),
        ]
        indexes = [
            models.Index(fields=["village", "resolved_on", "due_on"], name="concern_queue_idx"),
            models.Index(fields=["handling", "resolved_on", "raised_on"], name="concern_relay_idx"),
        ]

    def __str__(self) -> str:
        return f"{day_cn(self.raised_on)} {self.get_category_display()} · {self.content[:20]}"

    def clean(self) -> None:
        """The member it was raised through belongs to the villager group's village."""
        both = self.raised_through_id and self.villager_group_id
        if both and self.raised_through.village_id != self.villager_group.village_id:
            raise ValidationError({"raised_through": _("Choose a party member of the villager group's own village.")})

    def is_overdue(self, today: datetime.date) -> bool:
        """Open and past the day it was to be answered by (`concern_overdue` asks the database the same)."""
        return self.resolved_on is None and self.due_on is not None and self.due_on < today

    def age_in_days(self, today: datetime.date) -> int:
        """Days since it was raised; for a resolved concern, the days it took."""
        return ((self.resolved_on or today) - self.raised_on).days


def concern_open(through: str = "") -> Q:
    """Concerns not yet resolved; `through` is the path to the concern ("concerns__" from a village)."""
    return Q(**{f"{through}resolved_on__isnull": True})


def concern_overdue(today: datetime.date, through: str = "") -> Q:
    """Concerns open and past the day they were to be answered by (`Concern.is_overdue`)."""
    return concern_open(through) & Q(**{f"{through}due_on__lt": today})


class Project(models.Model):
    """A collective project (集体项目) of a villager group: what, where, money in and out, local jobs."""

    village = models.ForeignKey("township.Village", models.PROTECT, related_name="projects", verbose_name=_("village"))
    villager_group = models.ForeignKey(
        "groups.VillagerGroup", models.PROTECT, related_name="projects", verbose_name=_("villager group")
    )
    party_group = models.ForeignKey(
        "groups.PartyGroup",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("party group"),
    )
    name = models.CharField(_("project"), max_length=100)
    location = models.CharField(_("where"), max_length=100, blank=True)
    started_on = models.DateField(_("started on"))
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    investment = models.DecimalField(
        _("investment (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    income = models.DecimalField(
        _("income (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    local_jobs = models.PositiveIntegerField(_("local jobs"), default=0)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    fund_entries = models.ManyToManyField(
        "groups.FundEntry", blank=True, related_name="projects", verbose_name=_("linked fund entries")
    )

    objects = scoped_manager("village")
    history = audit_history()

    class Meta:
        verbose_name = _("collective project")
        verbose_name_plural = _("collective projects")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(investment__gte=0) & Q(income__gte=0), name="project_money_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name
