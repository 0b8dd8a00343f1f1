"""The org tree (county → township → village), the township's working rules, and staff assignments."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, router
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from audit.history import audit_history


class ScopedQuerySet(models.QuerySet):
    """A queryset that can narrow itself to what a user may see: `Model.objects.visible_to(user)`.

    Each model names the path from itself to its village in `scope_path` ("" for Village itself); county-level and
    township-level models override `visible_to`. The reach itself is decided once, in `township.scoping`.
    """

    scope_path = "village"

    def visible_to(self, user):
        from township.scoping import villages_for

        path = f"{self.scope_path}__in" if self.scope_path else "pk__in"
        return self.filter(**{path: villages_for(user).values("pk")})


def scoped_manager(path: str):
    """A manager whose queryset scopes through `path` to the village."""
    return type(f"ScopedQuerySet_{path or 'village'}", (ScopedQuerySet,), {"scope_path": path}).as_manager()


class ConstraintErrorsOnFields:
    """Constraint breaches answered beside the field a person would change, not above the whole form.

    Django files the error of a multi-field or conditional constraint under NON_FIELD_ERRORS; a model names here, by
    constraint, the field that carries it instead (the field must be one the constraint refers to, so a form that
    leaves the field out skips the constraint too).
    """

    constraint_error_fields: dict[str, str] = {}

    def validate_constraints(self, exclude=None) -> None:
        using = router.db_for_write(type(self), instance=self)
        errors: dict[str, list[ValidationError]] = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as exc:
                    field = self.constraint_error_fields.get(constraint.name)
                    if field is None and exc.code == "unique" and len(getattr(constraint, "fields", ())) == 1:
                        field = constraint.fields[0]
                    errors.setdefault(field or NON_FIELD_ERRORS, []).append(exc)
        if errors:
            raise ValidationError(errors)


class CountyQuerySet(models.QuerySet):
    def visible_to(self, user):
        from township.scoping import townships_for

        return self.filter(pk__in=townships_for(user).values("county_id"))


class County(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    objects = CountyQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TownshipQuerySet(models.QuerySet):
    def visible_to(self, user):
        from township.scoping import townships_for

        return self.filter(pk__in=townships_for(user).values("pk"))


class Township(ConstraintErrorsOnFields, models.Model):
    """A township (乡) and its working rules; the year's award rules live in appraisal.AppraisalYear."""

    county = models.ForeignKey(
        County, models.PROTECT, related_name="townships", verbose_name=_("county"), db_index=False
    )
    name = models.CharField(_("name"), max_length=50)
    committee_name = models.CharField(
        _("party committee"), max_length=100, blank=True, help_text=_("For example: 中共XX乡委员会")
    )
    group_size_min = models.PositiveSmallIntegerField(
        _("smallest usual party group"), default=3, validators=[MinValueValidator(1)]
    )
    group_size_max = models.PositiveSmallIntegerField(
        _("largest usual party group"), default=13, validators=[MinValueValidator(1)]
    )
    villager_groups_per_party_group = models.PositiveSmallIntegerField(
        _("usual villager groups per party group"), default=2, validators=[MinValueValidator(1)]
    )
    election_quorum_numerator = models.PositiveSmallIntegerField(
        _("election quorum numerator"), default=1, validators=[MinValueValidator(1)]
    )
    election_quorum_denominator = models.PositiveSmallIntegerField(
        _("election quorum denominator"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("More than this share of the group's members must be present (default: more than 1/2)."),
    )
    election_majority_numerator = models.PositiveSmallIntegerField(
        _("election majority numerator"), default=1, validators=[MinValueValidator(1)]
    )
    election_majority_denominator = models.PositiveSmallIntegerField(
        _("election majority denominator"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("A candidate needs more than this share of the votes of those present (default: more than 1/2)."),
    )
    leader_term_years = models.PositiveSmallIntegerField(
        _("party group leader's term (years)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_(
            "A leader serves this many years from the election; the to-do list warns three months before the term"
            " ends (default 5, the village branch committee's term)."
        ),
    )
    meeting_quorum_numerator = models.PositiveSmallIntegerField(
        _("villager group meeting quorum numerator"), default=2, validators=[MinValueValidator(1)]
    )
    meeting_quorum_denominator = models.PositiveSmallIntegerField(
        _("villager group meeting quorum denominator"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("At least this share of the adults or households must attend a villager group meeting."),
    )
    report_due_day = models.PositiveSmallIntegerField(
        _("monthly report due day"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("A month's report is overdue when it is not submitted by this day of the next month."),
    )
    fund_decision_threshold = models.DecimalField(
        _("fund decision threshold (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("1000.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Expenses above this amount must cite a villager group meeting decision."),
    )
    leader_and_member_award_same_year = models.BooleanField(
        _("one person may be excellent group leader and excellent member in the same year"),
        default=True,
        help_text=_("When allowed, the decision page still warns and the warning is kept with the decision."),
    )
    secretaries_need_second_factor = models.BooleanField(
        "村党支部书记和党小组长登录须用手机验证码",
        default=False,
        help_text="勾选后，本乡各村的党支部书记和党小组长登录时除密码外还须输入手机验证器应用的验证码"
        "（乡镇及以上账号一律须用）。未勾选时，他们可以自愿设置。",
    )

    constraint_error_fields = {
        "township_name_unique_in_county": "name",
        "township_leader_term_years_range": "leader_term_years",
    }
    objects = TownshipQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = _("township")
        verbose_name_plural = _("townships")
        ordering = ["county__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="township_name_unique_in_county",
                violation_error_message=_("This county already has a township with this name."),
            ),
            models.CheckConstraint(
                condition=Q(group_size_min__lte=F("group_size_max")),
                name="township_group_size_range_valid",
                violation_error_message=_("The smallest usual group size cannot exceed the largest."),
            ),
            models.CheckConstraint(
                condition=Q(election_quorum_numerator__lte=F("election_quorum_denominator"))
                & Q(election_majority_numerator__lte=F("election_majority_denominator"))
                & Q(meeting_quorum_numerator__lte=F("meeting_quorum_denominator")),
                name="township_shares_at_most_one",
                violation_error_message=_(
                    "A quorum or majority share cannot be more than the whole (numerator ≤ denominator)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(leader_term_years__gte=1, leader_term_years__lte=10),
                name="township_leader_term_years_range",
                violation_error_message=_("A leader's term must be between 1 and 10 years."),
            ),
            models.CheckConstraint(
                condition=Q(report_due_day__gte=1, report_due_day__lte=28),
                name="township_report_due_day_in_month",
                violation_error_message=_("The due day must be between 1 and 28."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def election_quorum(self) -> Fraction:
        return Fraction(self.election_quorum_numerator, self.election_quorum_denominator)

    @property
    def election_majority(self) -> Fraction:
        return Fraction(self.election_majority_numerator, self.election_majority_denominator)

    @property
    def meeting_quorum(self) -> Fraction:
        return Fraction(self.meeting_quorum_numerator, self.meeting_quorum_denominator)


class Village(ConstraintErrorsOnFields, models.Model):
    """A village (村) and its party branch (村党支部)."""

    township = models.ForeignKey(
        Township, models.PROTECT, related_name="villages", verbose_name=_("township"), db_index=False
    )
    name = models.CharField(_("name"), max_length=50)
    branch_name = models.CharField(_("party branch"), max_length=100, help_text=_("For example: 中共罗紫村支部委员会"))
    secretary_name = models.CharField(_("branch secretary"), max_length=30, blank=True)
    leaders_may_report = models.BooleanField(
        _("group leaders may enter their own monthly report"),
        default=False,
    )

    constraint_error_fields = {"village_name_unique_in_township": "name"}
    objects = scoped_manager("")
    history = audit_history()

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["township__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name"],
                name="village_name_unique_in_township",
                violation_error_message=_("This township already has a village with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def branch_title(self) -> str:
        """The branch as printed at the head of its registers: its recorded name, or 某某村党支部."""
        return self.branch_name or f"{self.name}党支部"


class Assignment(models.Model):
    """What an account is for, and over which part of the tree: the one source of a person's reach."""

    class Role(models.TextChoices):
        COUNTY_VIEWER = "county_viewer", _("county viewer")
        TOWNSHIP_STAFF = "township_staff", _("township staff")
        BRANCH_SECRETARY = "branch_secretary", _("branch secretary")
        GROUP_LEADER = "group_leader", _("party group leader")
        # 三员 (separation of duties): these two roles see no business data at all.
        AUDITOR = "auditor", _("security auditor")
        ACCOUNT_ADMIN = "account_admin", _("account administrator")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="assignment", verbose_name=_("account")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    county = models.ForeignKey(County, models.PROTECT, null=True, blank=True, verbose_name=_("county"))
    township = models.ForeignKey(Township, models.PROTECT, null=True, blank=True, verbose_name=_("township"))
    village = models.ForeignKey(Village, models.PROTECT, null=True, blank=True, verbose_name=_("village"))
    party_group = models.ForeignKey(
        "groups.PartyGroup", models.PROTECT, null=True, blank=True, verbose_name=_("party group")
    )

    history = audit_history()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="county_viewer", county__isnull=False, township__isnull=True, village__isnull=True)
                    | Q(role="township_staff", county__isnull=True, township__isnull=False, village__isnull=True)
                    | Q(role="branch_secretary", county__isnull=True, township__isnull=True, village__isnull=False)
                    | Q(role="group_leader", county__isnull=True, township__isnull=True, party_group__isnull=False)
                    | Q(
                        role__in=["auditor", "account_admin"],
                        county__isnull=True,
                        township__isnull=True,
                        village__isnull=True,
                        party_group__isnull=True,
                    )
                ),
                name="assignment_scope_matches_role",
                violation_error_message=_(
                    "Choose exactly the scope the role needs: a county for a county viewer, a township for township "
                    "staff, a village for a branch secretary, a party group for a group leader, and no scope for an "
                    "auditor or an account administrator."
                ),
            ),
        ]

    def __str__(self) -> str:
        scope = self.county or self.township or self.village or self.party_group
        return f"{self.user} · {self.get_role_display()}" + (f" · {scope}" if scope is not None else "")


class RoleRequest(models.Model):
    """A grant the account administrator may not make alone (三员, issue 14): a role over more than one village (or
    one of the 三员) or a permission to reveal full ID and phone numbers. It waits here until a second person — another
    account administrator or the system administrator, never the requester nor the account itself — approves it
    (`township.approvals`); only then is the role or permission given. Every step is a security event."""

    class Kind(models.TextChoices):
        ROLE = "role", "授予乡镇及以上角色或三员角色"
        REVEAL = "reveal", "授予查看完整号码的权限"

    class Status(models.TextChoices):
        PENDING = "pending", "待批准"
        APPROVED = "approved", "已批准"

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="role_requests", verbose_name="账号"
    )
    kind = models.CharField("申请事项", max_length=10, choices=Kind.choices)
    role = models.CharField("角色", max_length=20, choices=Assignment.Role.choices, blank=True)
    county = models.ForeignKey(County, models.PROTECT, null=True, blank=True, verbose_name=_("county"))
    township = models.ForeignKey(Township, models.PROTECT, null=True, blank=True, verbose_name=_("township"))
    permission = models.ForeignKey(
        "auth.Permission", models.CASCADE, null=True, blank=True, related_name="+", verbose_name="权限"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="批准人"
    )
    decided_at = models.DateTimeField("批准时间", null=True, blank=True)

    class Meta:
        verbose_name = "待批准的授权"
        verbose_name_plural = "待批准的授权"
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        what = self.get_role_display() if self.kind == self.Kind.ROLE else "查看完整号码"
        scope = self.county or self.township
        return f"{self.account} · {what}{f'（{scope}）' if scope else ''}"


class VillageChanges(models.Model):
    """How many times a village's members, organisational life, dues or party groups have changed, counted by the
    database's own triggers (`township/changes.py`) in the transaction that changes them, whoever writes (a form, the
    admin, an import, a command). Figures of the village kept between requests are kept under this count
    (`township.changes.kept_for_villages`): any change makes them counted afresh. `token` is made with the row, so
    figures kept for a village row that was emptied away (a restore, the tests' flush) are never mistaken for the
    new row's."""

    village = models.OneToOneField(
        Village, models.CASCADE, primary_key=True, related_name="+", verbose_name=_("village")
    )
    token = models.CharField("标识", max_length=32)
    n = models.BigIntegerField("变更次数", default=0)
    # the day's work (reports, concerns, ledgers' balances, decided awards), counted apart: only the dashboards' own
    # figures are kept under it too (township/changes.py)
    work = models.BigIntegerField("工作变更次数", default=0)

    class Meta:
        verbose_name = "村数据变更计数"
        verbose_name_plural = "村数据变更计数"

    def __str__(self) -> str:
        return f"{self.village_id}: {self.n}"
