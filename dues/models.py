"""党费 — party dues: the dated rate table, each member's yearly assessment, the branch's append-only dues book
(payments with receipt numbers, reversals), its stored balance, and the remittances (上缴) to the township.

Amounts are Decimal yuan with two places. The book is never edited or deleted (database triggers, see
`dues/append_only.py`): a mistaken payment is corrected by a reversing payment that points at it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from audit.history import audit_history
from core.words import month_cn
from township.models import ConstraintErrorsOnFields, ScopedQuerySet, scoped_manager

ZERO = Decimal("0.00")


class Category(models.TextChoices):
    """How a member's dues are assessed (中组部《关于中国共产党党费收缴、使用和管理的规定》, 2008)."""

    EMPLOYED = "employed", "在职（按月工资收入）"
    RETIRED = "retired", "离退休（按月离退休费）"
    FARMER = "farmer", "农牧渔民"
    STUDENT = "student", "学生"
    LOW_INCOME = "low_income", "享受低保"
    HARDSHIP = "hardship", "生活困难"
    EXEMPT = "exempt", "经支部研究免交"


# Categories assessed on a monthly amount of money (the base): income after tax, or the pension.
BASED = frozenset({Category.EMPLOYED, Category.RETIRED})


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "按月"
    QUARTERLY = "quarterly", "按季"


class RateTable(models.Model):
    """The rate rules in force from `valid_from` (the first day of a month) until the next table's date: past months
    keep the table they fell under. The national rules, the same in every township."""

    valid_from = models.DateField(
        "起用月份",
        unique=True,
        error_messages={"unique": "这一天起用的收缴标准已有一份：一个日期只能有一份标准，请改日期或修改那一份。"},
    )
    name = models.CharField("名称", max_length=100)
    small_amount = models.DecimalField(
        "学生、低保、生活困难党员每月（元）",
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.20"),
        validators=[MinValueValidator(ZERO)],
    )

    history = audit_history()

    class Meta:
        verbose_name = "党费收缴标准"
        verbose_name_plural = "党费收缴标准"
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(small_amount__gte=0), name="dues_rate_small_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{month_cn(self.valid_from)}起）"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.valid_from and self.valid_from.day != 1:
            raise ValidationError({"valid_from": "收缴标准从某月1日起用：请填某月的1日。"})


class RateBand(models.Model):
    """One band of a rate table: a base up to `up_to` yuan a month (inclusive; empty: everything above the bands
    below) pays `percent` per cent of it."""

    class Basis(models.TextChoices):
        INCOME = "income", "在职：月工资收入（税后）"
        PENSION = "pension", "离退休：月离退休费"

    table = models.ForeignKey(RateTable, models.CASCADE, related_name="bands", verbose_name="收缴标准", db_index=False)
    basis = models.CharField("计算基数", max_length=8, choices=Basis.choices)
    up_to = models.DecimalField("上限（含，元）", max_digits=12, decimal_places=2, null=True, blank=True)
    percent = models.DecimalField(
        "比例（%）", max_digits=5, decimal_places=2, validators=[MinValueValidator(ZERO), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = "收缴比例档次"
        verbose_name_plural = "收缴比例档次"
        ordering = ["table", "basis", models.F("up_to").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(fields=["table", "basis", "up_to"], name="dues_band_unique_bound"),
            models.UniqueConstraint(
                fields=["table", "basis"], condition=Q(up_to__isnull=True), name="dues_band_one_open_top"
            ),
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100), name="dues_band_percent_range"),
        ]

    def __str__(self) -> str:
        top = f"≤{self.up_to}" if self.up_to is not None else "以上"
        return f"{self.get_basis_display()} {top}：{self.percent}%"


class TownshipRuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        from township.scoping import townships_for

        return self.filter(township__in=townships_for(user).values("pk"))


class TownshipDuesRule(ConstraintErrorsOnFields, models.Model):
    """What the township sets, from a month on: the farmers' fixed monthly amount (0.20–1.00 yuan), whether the
    branches collect and remit monthly or quarterly, and the day of the next month a remittance is due."""

    township = models.ForeignKey(
        "township.Township", models.PROTECT, related_name="dues_rules", verbose_name="乡镇", db_index=False
    )
    valid_from = models.DateField("起用月份")
    farmer_amount = models.DecimalField(
        "农牧渔民党员每月（元）",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.20"),
        validators=[MinValueValidator(Decimal("0.20")), MaxValueValidator(Decimal("1.00"))],
        help_text="按规定每月0.2元至1元。",
    )
    frequency = models.CharField("收缴和上缴周期", max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    remit_due_day = models.PositiveSmallIntegerField(
        "上缴期限（下期第几日前）",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )

    objects = TownshipRuleQuerySet.as_manager()
    history = audit_history()
    constraint_error_fields = {"dues_township_rule_unique_month": "valid_from"}

    class Meta:
        verbose_name = "乡镇党费规定"
        verbose_name_plural = "乡镇党费规定"
        ordering = ["township", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "valid_from"],
                name="dues_township_rule_unique_month",
                violation_error_message="这个月起用的规定已有一份：一个月只能有一份，请改日期或修改那一份。",
            ),
            models.CheckConstraint(
                condition=Q(farmer_amount__gte=Decimal("0.20"), farmer_amount__lte=Decimal("1.00")),
                name="dues_farmer_amount_range",
                violation_error_message="农牧渔民党员每月交纳0.2元至1元。",
            ),
            models.CheckConstraint(
                condition=Q(remit_due_day__gte=1, remit_due_day__lte=28), name="dues_remit_due_day_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.township} {month_cn(self.valid_from)}起"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.valid_from and self.valid_from.day != 1:
            raise ValidationError({"valid_from": "规定从某月1日起用：请填某月的1日。"})


class Assessment(ConstraintErrorsOnFields, models.Model):
    """A member's dues category and base for a year (党费基数核定), set by the branch once a year."""

    member = models.ForeignKey(
        "members.PartyMember", models.PROTECT, related_name="dues_assessments", verbose_name="党员", db_index=False
    )
    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("类别", max_length=12, choices=Category.choices)
    base = models.DecimalField(
        "月收入或离退休费（元）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="在职党员填税后月工资收入，离退休党员填月离退休费；其他类别不填。",
    )
    note = models.CharField("说明（如支部决定免交的会议和日期）", max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="核定人"
    )
    set_at = models.DateTimeField("核定时间")

    objects = scoped_manager("member__village")
    history = audit_history()
    constraint_error_fields = {"dues_assessment_base_needed": "base", "dues_assessment_base_not_negative": "base"}

    class Meta:
        verbose_name = "党费基数核定"
        verbose_name_plural = "党费基数核定"
        ordering = ["year", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="dues_assessment_one_per_year"),
            models.CheckConstraint(
                condition=~Q(category__in=sorted(BASED)) | Q(base__isnull=False),
                name="dues_assessment_base_needed",
                violation_error_message="在职党员要填月工资收入，离退休党员要填月离退休费。",
            ),
            models.CheckConstraint(
                condition=Q(base__isnull=True) | Q(base__gte=0),
                name="dues_assessment_base_not_negative",
                violation_error_message="金额不能是负数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year}年 {self.get_category_display()}"


class DuesBook(models.Model):
    """A branch's dues book: its balance (collected, not yet remitted) is kept here, changed only by the services
    under this row's lock, and can never go below zero (a database constraint)."""

    village = models.OneToOneField(
        "township.Village", models.PROTECT, related_name="dues_book", verbose_name="村党支部"
    )
    balance = models.DecimalField("待上缴余额（元）", max_digits=14, decimal_places=2, default=ZERO, editable=False)

    objects = scoped_manager("village")

    class Meta:
        verbose_name = "党费账"
        verbose_name_plural = "党费账"
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="dues_book_balance_not_negative")]

    def __str__(self) -> str:
        return f"{self.village} 党费账"


class Payment(models.Model):
    """One receipt (党费收据): money a member paid on a day, for one or more months; or the reversal of one."""

    village = models.ForeignKey(
        "township.Village", models.PROTECT, related_name="dues_payments", verbose_name="村", db_index=False
    )
    member = models.ForeignKey("members.PartyMember", models.PROTECT, related_name="dues_payments", verbose_name="党员")
    receipt_year = models.PositiveSmallIntegerField("收据年度")
    receipt_seq = models.PositiveIntegerField("收据序号")
    paid_on = models.DateField("交纳日期")
    received_by = models.CharField("收款人", max_length=30)
    reverses = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name="冲销的收据"
    )
    reason = models.CharField("冲销原因", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = scoped_manager("village")
    history = audit_history()

    class Meta:
        verbose_name = "党费收据"
        verbose_name_plural = "党费收据"
        ordering = ["paid_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "receipt_year", "receipt_seq"], name="dues_payment_receipt_unique"
            ),
        ]
        indexes = [models.Index(fields=["village", "paid_on"], name="dues_payment_village_day_idx")]

    def __str__(self) -> str:
        return f"收据 {self.receipt_no} {self.member}"

    @property
    def receipt_no(self) -> str:
        return f"{self.receipt_year}-{self.receipt_seq:04d}"


class Line(models.Model):
    """One month's part of a receipt: the assessed dues of that month, or a voluntary extra (kept apart). A reversal's
    lines are the originals' negatives."""

    class Kind(models.TextChoices):
        ASSESSED = "assessed", "应交党费"
        VOLUNTARY = "voluntary", "自愿多交"

    payment = models.ForeignKey(Payment, models.PROTECT, related_name="lines", verbose_name="收据")
    village = models.ForeignKey("township.Village", models.PROTECT, related_name="+", verbose_name="村", db_index=False)
    member = models.ForeignKey(
        "members.PartyMember", models.PROTECT, related_name="dues_lines", verbose_name="党员", db_index=False
    )
    month = models.DateField("所属月份")
    paid_on = models.DateField("交纳日期")
    kind = models.CharField("性质", max_length=10, choices=Kind.choices)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    is_reversal = models.BooleanField("冲销", default=False)

    objects = scoped_manager("village")
    history = audit_history()

    class Meta:
        verbose_name = "党费明细"
        verbose_name_plural = "党费明细"
        ordering = ["month", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_reversal=False, amount__gt=0) | Q(is_reversal=True, amount__lt=0),
                name="dues_line_amount_sign",
                violation_error_message="金额必须大于零（冲销时为原金额的负数）。",
            ),
        ]
        indexes = [
            models.Index(fields=["village", "month"], name="dues_line_village_month_idx"),
            models.Index(fields=["village", "paid_on"], name="dues_line_village_day_idx"),
            models.Index(fields=["member", "month"], name="dues_line_member_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} {self.get_kind_display()} {self.amount}"


class RemittanceQuerySet(ScopedQuerySet):
    scope_path = "village"

    def live(self):
        """Remittances standing: neither a reversal nor reversed."""
        return self.filter(reverses__isnull=True, reversed_by__isnull=True)


class Remittance(models.Model):
    """The branch's 上缴 to the township of what it collected in a period (a month, or a quarter where the township
    says so): recorded by the branch; the township's side is `Receipt`."""

    village = models.ForeignKey("township.Village", models.PROTECT, related_name="dues_remittances", verbose_name="村")
    period_start = models.DateField("所属期（首月）")
    months = models.PositiveSmallIntegerField("月数", default=1)
    amount = models.DecimalField("上缴金额（元）", max_digits=12, decimal_places=2)
    remitted_on = models.DateField("上缴日期")
    # A remittance recorded wrongly is corrected by a reversal: a second row of the same period pointing at it, with
    # the negative amount, the reason and who recorded it (the book stays append-only). The period may then be
    # remitted again: `attempt` counts the remittances of a period, so one live remittance a period stays unique.
    attempt = models.PositiveSmallIntegerField("第几次上缴登记", default=1)
    reverses = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name="冲销的上缴"
    )
    reason = models.CharField("冲销原因", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = RemittanceQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = "党费上缴"
        verbose_name_plural = "党费上缴"
        ordering = ["period_start", "village", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "period_start", "attempt"],
                condition=Q(reverses__isnull=True),
                name="dues_remittance_one_per_period_attempt",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, amount__gt=0) | Q(reverses__isnull=False, amount__lt=0),
                name="dues_remittance_amount_sign",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reason=""), name="dues_remittance_reversal_has_reason"
            ),
            models.CheckConstraint(condition=Q(months__in=[1, 3]), name="dues_remittance_months_1_or_3"),
        ]

    def __str__(self) -> str:
        what = "冲销上缴" if self.reverses_id else "上缴"
        return f"{self.village} {month_cn(self.period_start)} {what} {self.amount}"


class RemittanceReceipt(models.Model):
    """The township's side of a remittance: received, on which day, by whom."""

    remittance = models.OneToOneField(Remittance, models.PROTECT, related_name="receipt", verbose_name="上缴")
    received_on = models.DateField("收到日期")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="收款人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = scoped_manager("remittance__village")
    history = audit_history()

    class Meta:
        verbose_name = "乡党委收到上缴"
        verbose_name_plural = "乡党委收到上缴"

    def __str__(self) -> str:
        return f"{self.remittance} 已收到"


class Excuse(models.Model):
    """A reason the branch accepted for a member not paying over some months (在外务工联系不上, 重病…): those months
    are not counted towards the six-month flag (党章 art. 9)."""

    member = models.ForeignKey("members.PartyMember", models.PROTECT, related_name="dues_excuses", verbose_name="党员")
    first_month = models.DateField("起始月份")
    last_month = models.DateField("截止月份")
    reason = models.CharField("正当理由", max_length=200)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="登记人"
    )
    accepted_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = scoped_manager("member__village")
    history = audit_history()

    class Meta:
        verbose_name = "欠交正当理由"
        verbose_name_plural = "欠交正当理由"
        ordering = ["member", "first_month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__gte=models.F("first_month")), name="dues_excuse_months_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.first_month:%Y-%m}—{self.last_month:%Y-%m}"
