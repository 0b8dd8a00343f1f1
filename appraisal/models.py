"""Year-end appraisal (考核) and awards (表彰): the year's rules, scores, spot checks, branch appraisal, awards and
the reserve-cadre lists. A decided year is locked; reopening it needs a reason and is kept on record."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from audit.history import audit_history
from core.words import day_cn, quarter_cn
from township.models import ConstraintErrorsOnFields, scoped_manager


def money(verbose, default):
    return models.DecimalField(
        verbose, max_digits=12, decimal_places=2, default=Decimal(default), validators=[MinValueValidator(Decimal("0"))]
    )


class AppraisalYearQuerySet(models.QuerySet):
    def visible_to(self, user):
        from township.scoping import townships_for

        return self.filter(township__in=townships_for(user).values("pk"))


class AppraisalYear(ConstraintErrorsOnFields, models.Model):
    """A township's appraisal year and its rules, kept with the year so a past year is shown exactly as decided."""

    class State(models.TextChoices):
        OPEN = "open", _("open: scoring")
        NOMINATING = "nominating", _("nominating")
        DECIDED = "decided", _("decided (locked)")

    township = models.ForeignKey(
        "township.Township", models.PROTECT, related_name="appraisal_years", verbose_name=_("township"), db_index=False
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    advanced_group_quota = models.PositiveSmallIntegerField(_("advanced party groups (quota)"), default=5)
    excellent_leader_quota = models.PositiveSmallIntegerField(_("excellent group leaders (quota)"), default=10)
    excellent_member_quota = models.PositiveSmallIntegerField(_("excellent members (quota)"), default=20)
    advanced_group_amount = money(_("award per advanced party group (yuan)"), "200.00")
    excellent_leader_amount = money(_("award per excellent group leader (yuan)"), "100.00")
    excellent_member_amount = money(_("award per excellent member (yuan)"), "50.00")
    streak_bonus_amount = money(_("one-time bonus for an excellent-leader streak (yuan)"), "500.00")
    streak_years = models.PositiveSmallIntegerField(
        _("years in a row for the streak bonus"), default=3, validators=[MinValueValidator(2)]
    )
    streak_bonus_repeatable = models.BooleanField(_("the streak bonus may be given again after a break"), default=False)
    excellent_share_numerator = models.PositiveSmallIntegerField(_("优秀 grades allowed: numerator"), default=1)
    excellent_share_denominator = models.PositiveSmallIntegerField(
        _("优秀 grades allowed: denominator"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("At most this share of a branch's members graded 优秀 in the 民主评议 (default one third)."),
    )
    spot_check_weight = models.DecimalField(
        _("weight of spot checks in a group's year score (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    group_work_weight = models.DecimalField(
        _("weight of party-group work in a branch's year-end score (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    publicity_starts_on = models.DateField(_("public notice (公示) from"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("public notice (公示) until"), null=True, blank=True)
    issuing_unit = models.CharField(
        _("issuing unit"), max_length=100, blank=True, help_text=_("For example: 中共金溪乡委员会")
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    depends_on = models.ForeignKey(
        "YearReopening",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="dependent_years",
        verbose_name=_("waits on a reopened earlier year"),
        help_text=_("An earlier year this decided year's streak results counted was reopened: re-decide them."),
    )
    decision_version = models.PositiveIntegerField(
        _("decision version"), default=0, help_text=_("Goes up with every saved decision, so a stale page is refused.")
    )

    constraint_error_fields = {"appraisal_year_unique": "year", "appraisal_publicity_dates": "publicity_ends_on"}
    objects = AppraisalYearQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = _("appraisal year")
        verbose_name_plural = _("appraisal years")
        ordering = ["township__name", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "year"],
                name="appraisal_year_unique",
                violation_error_message=_("This township already has this appraisal year."),
            ),
            models.CheckConstraint(
                condition=Q(publicity_starts_on__isnull=True)
                | Q(publicity_ends_on__isnull=True)
                | Q(publicity_ends_on__gte=F("publicity_starts_on")),
                name="appraisal_publicity_dates",
                violation_error_message=_("The public notice cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(excellent_share_numerator__lte=F("excellent_share_denominator")),
                name="appraisal_excellent_share_at_most_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.township} {self.year}"

    @property
    def excellent_share(self) -> Fraction:
        return Fraction(self.excellent_share_numerator, self.excellent_share_denominator)

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.DECIDED


class YearReopening(models.Model):
    """A decided year opened again: who, when and why."""

    year = models.ForeignKey(AppraisalYear, models.PROTECT, related_name="reopenings", verbose_name=_("year"))
    reason = models.TextField(_("reason"), max_length=2000)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("reopened by")
    )
    reopened_at = models.DateTimeField(_("reopened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("year reopening")
        verbose_name_plural = _("year reopenings")
        ordering = ["-reopened_at"]

    def __str__(self) -> str:
        return f"{self.year} · {self.reason[:20]}"


class RubricItem(models.Model):
    """One item of the regular appraisal: computed from the records, or entered by the assessor."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("entered by the assessor")
        REPORTS_ON_TIME = "reports_on_time", _("monthly reports submitted on time")
        MEETINGS_HELD = "meetings_held", _("a party group meeting held each month")
        HOUSEHOLDS_REACHED = "households_reached", _("households reached")
        CONCERNS_ANSWERED = "concerns_answered", _("concerns answered in time")
        LEDGER_WITH_DECISIONS = "ledger_with_decisions", _("fund ledger kept with decisions")

    year = models.ForeignKey(
        AppraisalYear, models.CASCADE, related_name="rubric", verbose_name=_("year"), db_index=False
    )
    name = models.CharField(_("item"), max_length=100)
    max_points = models.DecimalField(
        _("maximum points"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    source = models.CharField(_("scored from"), max_length=24, choices=Source.choices, default=Source.MANUAL)
    target = models.PositiveIntegerField(
        _("target per quarter"),
        default=0,
        help_text=_("For households reached: the number that earns full points in a quarter."),
    )
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    history = audit_history()

    class Meta:
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")
        ordering = ["year", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["year", "name"], name="rubric_item_unique_in_year")]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_points}）"


class GroupScore(models.Model):
    """Points of one party group on one rubric item in one quarter, with the evidence behind the figure."""

    year = models.ForeignKey(
        AppraisalYear, models.CASCADE, related_name="scores", verbose_name=_("year"), db_index=False
    )
    party_group = models.ForeignKey(
        "groups.PartyGroup", models.PROTECT, related_name="scores", verbose_name=_("party group")
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    item = models.ForeignKey(RubricItem, models.CASCADE, related_name="scores", verbose_name=_("item"))
    points = models.DecimalField(
        _("points"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    evidence = models.TextField(_("evidence"), max_length=2000, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("entered by")
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = scoped_manager("party_group__village")
    history = audit_history()

    class Meta:
        verbose_name = _("group score")
        verbose_name_plural = _("group scores")
        constraints = [
            models.UniqueConstraint(fields=["year", "party_group", "quarter", "item"], name="group_score_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="group_score_quarter_valid"),
            models.CheckConstraint(condition=Q(points__gte=0), name="group_score_points_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.party_group} {quarter_cn(self.quarter)} {self.item.name}: {self.points}"


class SpotCheck(models.Model):
    """An unscheduled spot check (不定期抽查) of a party group, and its rectification notice (整改通知书)."""

    class Rating(models.TextChoices):
        GOOD = "good", _("good")
        FAIR = "fair", _("fair")
        POOR = "poor", _("poor: rectification needed")

    year = models.ForeignKey(AppraisalYear, models.PROTECT, related_name="spot_checks", verbose_name=_("year"))
    party_group = models.ForeignKey(
        "groups.PartyGroup", models.PROTECT, related_name="spot_checks", verbose_name=_("party group")
    )
    checked_on = models.DateField(_("checked on"))
    checked_by = models.CharField(_("checked by"), max_length=100)
    by_visit = models.BooleanField(_("visited the group"), default=False)
    by_asking_villagers = models.BooleanField(_("asked villagers"), default=False)
    by_reading_records = models.BooleanField(_("read the records"), default=False)
    findings = models.TextField(_("findings"), max_length=2000)
    rating = models.CharField(_("rating"), max_length=8, choices=Rating.choices)
    points = models.DecimalField(
        _("points (0–100)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    rectification = models.TextField(_("rectification required"), max_length=2000, blank=True)
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    follow_up = models.TextField(_("follow-up"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )

    objects = scoped_manager("party_group__village")
    history = audit_history()

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["-checked_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rectification="") | Q(rectify_by__isnull=False),
                name="spot_check_rectification_has_deadline",
                violation_error_message=_("A rectification notice needs a deadline."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_group} {day_cn(self.checked_on)}"


class BranchAppraisal(models.Model):
    """A village branch's year-end appraisal: the township's own items plus its party groups' work (weighted)."""

    year = models.ForeignKey(
        AppraisalYear, models.PROTECT, related_name="branch_appraisals", verbose_name=_("year"), db_index=False
    )
    village = models.ForeignKey(
        "township.Village", models.PROTECT, related_name="appraisals", verbose_name=_("village")
    )
    township_points = models.DecimalField(
        _("points on the township's items (0–100)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    group_points = models.DecimalField(
        _("party groups' average year score"), max_digits=5, decimal_places=1, default=Decimal("0")
    )
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=1, default=Decimal("0"))
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("entered by")
    )

    objects = scoped_manager("village")
    history = audit_history()

    class Meta:
        verbose_name = _("branch appraisal")
        verbose_name_plural = _("branch appraisals")
        ordering = ["-total"]
        constraints = [models.UniqueConstraint(fields=["year", "village"], name="branch_appraisal_unique")]

    def __str__(self) -> str:
        return f"{self.village} {self.year.year}"


class Award(models.Model):
    """A nomination or an award of the year: advanced party group, excellent leader, excellent member, streak bonus."""

    class Kind(models.TextChoices):
        ADVANCED_GROUP = "advanced_group", _("advanced party group")
        EXCELLENT_LEADER = "excellent_leader", _("excellent party group leader")
        EXCELLENT_MEMBER = "excellent_member", _("excellent party member")
        STREAK_BONUS = "streak_bonus", _("excellent-leader streak bonus")

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("nominated by the branch")
        DECIDED = "decided", _("decided by the township")

    year = models.ForeignKey(AppraisalYear, models.PROTECT, related_name="awards", verbose_name=_("year"))
    kind = models.CharField(_("award"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NOMINATED)
    village = models.ForeignKey("township.Village", models.PROTECT, related_name="awards", verbose_name=_("village"))
    party_group = models.ForeignKey(
        "groups.PartyGroup", models.PROTECT, null=True, blank=True, related_name="awards", verbose_name=_("party group")
    )
    member = models.ForeignKey(
        "members.PartyMember",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("party member"),
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    decision_reason = models.TextField(
        _("reason for the township's choice"),
        blank=True,
        help_text=_(
            "Why a tie at the quota was broken this way, or a lower-ranked candidate chosen over a higher one."
        ),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    nominated_at = models.DateTimeField(_("nominated at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = scoped_manager("village")
    history = audit_history()

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["year", "kind", "village__name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="advanced_group", party_group__isnull=False, member__isnull=True)
                    | (~Q(kind="advanced_group") & Q(member__isnull=False))
                ),
                name="award_target_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["year", "kind", "party_group"],
                condition=Q(kind="advanced_group"),
                name="award_group_once_a_year",
            ),
            models.UniqueConstraint(
                fields=["year", "kind", "member"], condition=~Q(kind="advanced_group"), name="award_member_once_a_year"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="award_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["kind", "member", "status"], name="award_streak_idx")]

    def __str__(self) -> str:
        return f"{self.year.year} {self.get_kind_display()} {self.member or self.party_group}"


class ReserveCandidate(models.Model):
    """A reserve list entry: the village's three main posts (村三职干部后备人选) or recommended to the county as a
    reserve township cadre (乡镇领导后备干部), each with its reason."""

    class List(models.TextChoices):
        VILLAGE_THREE_POSTS = "village", _("reserve for the village's three main posts")
        COUNTY_RECOMMENDED = "county", _("recommended to the county as a reserve township cadre")

    year = models.ForeignKey(AppraisalYear, models.PROTECT, related_name="reserve", verbose_name=_("year"))
    list = models.CharField(_("list"), max_length=8, choices=List.choices)
    member = models.ForeignKey(
        "members.PartyMember", models.PROTECT, related_name="reserve_entries", verbose_name=_("party member")
    )
    village = models.ForeignKey("township.Village", models.PROTECT, related_name="+", verbose_name=_("village"))
    reason = models.TextField(_("reason"), max_length=2000)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    objects = scoped_manager("village")
    history = audit_history()

    class Meta:
        verbose_name = _("reserve candidate")
        verbose_name_plural = _("reserve candidates")
        ordering = ["list", "village__name"]
        constraints = [models.UniqueConstraint(fields=["list", "member", "year"], name="reserve_once_per_list_year")]

    def __str__(self) -> str:
        return f"{self.get_list_display()} · {self.member}"


class DecisionRecord(models.Model):
    """One decision of the township on a year's awards, with every award before and after it: the decision within
    the quotas, or a later year's streak results re-decided after an earlier year was reopened."""

    class Action(models.TextChoices):
        DECISION = "decision", _("awards decided")
        REVIEW = "review", _("re-decided after an earlier year was reopened")

    year = models.ForeignKey(AppraisalYear, models.PROTECT, related_name="decision_records", verbose_name=_("year"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("reason"), blank=True)
    depends_on = models.ForeignKey(
        YearReopening,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("after the reopening of"),
    )
    before = models.JSONField(_("before"), default=list)
    after = models.JSONField(_("after"), default=list)
    warnings = models.JSONField(_("warnings"), default=list)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("award decision record")
        verbose_name_plural = _("award decision records")
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year} · {self.get_action_display()}"
