"""Party members (党员) of each village branch."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.history import audit_history
from core import clock, fields, periods
from core.fields import EncryptedTextField, LookupHashField, MaskedCopyField, lookup_hash
from members import national
from members.validators import id_birth_date, id_sex, normalise_id_number, validate_id_number, validate_phone
from township.models import ConstraintErrorsOnFields, ScopedQuerySet, scoped_manager

ADULT_AGE = 18


# Encrypted at rest, each decrypted as a row is read (a Fernet decryption apiece): pages that show members by name
# leave them unread (`without_numbers`, or `numbers_of(path)` for members reached through select_related).
ENCRYPTED_FIELDS = ("id_number", "phone", "home_address")


def numbers_of(*paths: str) -> list[str]:
    """The encrypted fields of the members at `paths` (select_related paths such as "host" or "member"), for
    `.defer(*numbers_of("host"))` on a queryset that shows those members by name only."""
    return [f"{path}__{field}" for path in paths for field in ENCRYPTED_FIELDS]


class PartyMemberQuerySet(ScopedQuerySet):
    """Party members, with the one answer to "who is a member of the branch on a day", read from the standing
    history (members.standing): every room that lists, counts or offers members asks here, never `left_on`."""

    scope_path = "village"

    def without_numbers(self) -> PartyMemberQuerySet:
        """Members read without their encrypted ID number, phone and address (each decrypted as a row is read): for
        the rooms that list or count members by name and never show those (organisational life, dues)."""
        return self.defer(*ENCRYPTED_FIELDS)

    def with_state_on(self, day: datetime.date | None = None) -> PartyMemberQuerySet:
        """Each member with `state_on`: their standing on `day` (default today), read from the history."""
        from members.standing.selectors import state_at

        return self.annotate(state_on=state_at(day or clock.today()))

    def in_party_on(self, day: datetime.date | None = None) -> PartyMemberQuerySet:
        """Members of the branch on `day` (default today): probationary or full that day. Not yet joined, suspended
        (停止党籍: no dues, no vote, not offered for meetings or posts), transferred out, dead or expelled: not."""
        from members.standing.selectors import IN_PARTY

        return self.with_state_on(day).filter(state_on__in=IN_PARTY)

    def in_party_during(self, first: datetime.date, last: datetime.date) -> PartyMemberQuerySet:
        """Members of the branch on some day from `first` to `last` (both included), by the standing history: in
        party on the first or the last day, or a change within the span that led into party or out of it."""
        from members.standing.models import StandingChange
        from members.standing.selectors import IN_PARTY, state_at

        within = StandingChange.objects.filter(member=models.OuterRef("pk"), on__gt=first, on__lte=last)
        return self.annotate(state_first=state_at(first), state_last=state_at(last)).filter(
            Q(state_first__in=IN_PARTY)
            | Q(state_last__in=IN_PARTY)
            | models.Exists(within.filter(state_after__in=IN_PARTY))
            | models.Exists(within.filter(state_before__in=IN_PARTY, on__gt=models.OuterRef("joined_on")))
        )

    def on_roster_on(self, day: datetime.date | None = None) -> PartyMemberQuerySet:
        """The branch's roster on `day`: its members and those whose membership is suspended (still the branch's,
        shown as 停止党籍)."""
        from members.standing.models import ON_ROSTER

        return self.with_state_on(day).filter(state_on__in=ON_ROSTER)


class PartyMember(ConstraintErrorsOnFields, models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class Status(models.TextChoices):
        PROBATIONARY = "probationary", _("probationary member")
        FULL = "full", _("full member")
        # Kept by the standing history (members.standing), never typed: 停止党籍, and no longer in the branch.
        SUSPENDED = "suspended", "停止党籍"
        LEFT = "left", "已不在本支部"

    village = models.ForeignKey(
        "township.Village", models.PROTECT, related_name="members", verbose_name=_("village"), db_index=False
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=30)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    # Encrypted at rest; the keyed hash beside it keeps ID numbers unique and searchable without decrypting.
    id_number = EncryptedTextField(_("ID number"), validators=[validate_id_number])
    id_number_hash = LookupHashField(source="id_number", unique=True)
    phone = EncryptedTextField(_("phone"), blank=True, validators=[validate_phone])
    phone_hash = LookupHashField(source="phone", db_index=True)
    # What every list shows of them (the one mask each, core.fields), kept on save: a roster of 96,000 members is
    # written without decrypting 190,000 values.
    masked_id_number = MaskedCopyField("身份证号（遮盖）", source="id_number", mask="id_number")
    masked_phone = MaskedCopyField("联系电话（遮盖）", source="phone", mask="phone")
    joined_on = models.DateField(_("date joined the party"))
    status = models.CharField(_("membership"), max_length=12, choices=Status.choices, default=Status.FULL)
    # Profile tags the survey names: who leaders are usually chosen from.
    is_former_cadre = models.BooleanField(_("former village cadre"), default=False)
    is_old_member = models.BooleanField(_("respected old member"), default=False)
    is_shuangdai = models.BooleanField(
        _("双带 leader"), default=False, help_text=_("Leads in getting rich and leads villagers to get rich.")
    )
    left_on = models.DateField(
        _("left the branch on"),
        null=True,
        blank=True,
        help_text=_("Transferred out or deceased; leave empty otherwise."),  # kept by the standing history
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)

    # --- the national record (全国党员管理信息系统 党员基本信息, issue 16; choices in members/national.py) ----------
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=national.ETHNICITY_CHOICES, blank=True)
    education = models.CharField(_("education"), max_length=2, choices=national.Education.choices, blank=True)
    category = models.CharField(_("category of person"), max_length=16, choices=national.Category.choices, blank=True)
    # 转正日期; a probationary member has none yet.
    full_member_on = models.DateField(_("date became a full member"), null=True, blank=True)
    work_post = models.CharField(_("work post"), max_length=60, blank=True)
    home_address = EncryptedTextField(_("home address"), blank=True, max_length=200)
    # A date the national record gives to the month only (1970.03) is kept as the 1st with "month": shown 1970年3月,
    # never as an invented day. The birth date needs none: the ID number gives the day.
    joined_on_precision = models.CharField(
        _("date joined known to"), max_length=5, choices=national.Precision.choices, default=national.Precision.DAY
    )
    full_member_on_precision = models.CharField(
        _("date became a full member known to"),
        max_length=5,
        choices=national.Precision.choices,
        default=national.Precision.DAY,
    )
    # --- end of the national record ----------------------------------------------------------------------------------

    constraint_error_fields = {
        "member_joined_after_birth": "joined_on",
        "member_left_after_joined": "left_on",
        "member_full_after_joined": "full_member_on",
    }
    objects = PartyMemberQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["village__name", "name", "pk"]
        # PIPL art. 51: lists and pages show ID and phone numbers masked; holders of this permission may reveal one
        # member's full numbers (audit.reveal), and each reveal is kept as a REVEAL security event.
        permissions = [("reveal_personal_data", _("may see full ID and phone numbers"))]
        indexes = [models.Index(fields=["village", "name"], name="member_village_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(joined_on__gt=F("birth_date")),
                name="member_joined_after_birth",
                violation_error_message=_("The date joined must be after the birth date."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="member_left_after_joined",
                violation_error_message=_("The date the member left cannot be before the date joined."),
            ),
            models.CheckConstraint(
                condition=Q(full_member_on__isnull=True) | Q(full_member_on__gte=F("joined_on")),
                name="member_full_after_joined",
                violation_error_message=_("The date of becoming a full member cannot be before the date joined."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def home_address_masked(self) -> str:
        return fields.mask_personal("home_address", self.home_address)

    @property
    def joined_on_shown(self) -> str:
        return national.date_shown(self.joined_on, self.joined_on_precision)

    @property
    def full_member_on_shown(self) -> str:
        return national.date_shown(self.full_member_on, self.full_member_on_precision)

    @property
    def birth_year(self) -> str:
        """The birth date as shown to anyone who may not reveal (see core.fields)."""
        return fields.birth_year(self.birth_date)

    @property
    def tags(self) -> list[str]:
        """The profile tags, as shown beside a name."""
        return [
            str(label)
            for on, label in (
                (self.is_former_cadre, _("former village cadre")),
                (self.is_old_member, _("respected old member")),
                (self.is_shuangdai, _("双带 leader")),
            )
            if on
        ]

    def clean(self) -> None:
        """Cross-field checks: the ID agrees with birth date and sex, the member was an adult when joining."""
        errors: dict[str, list] = {}
        if self.id_number:
            self.id_number = normalise_id_number(self.id_number)
        id_ok = False
        if self.id_number:
            try:
                validate_id_number(self.id_number)
                id_ok = True
            except ValidationError:
                pass  # reported by the field validator
        if id_ok:
            born = id_birth_date(self.id_number)
            if self.birth_date and born != self.birth_date:
                errors.setdefault("birth_date", []).append(
                    ValidationError(
                        _("The birth date does not match the ID number, which says %(d)s."),
                        params={"d": born.strftime("%Y-%m-%d")},
                        code="birth_date_mismatch",
                    )
                )
            if self.sex and id_sex(self.id_number) != self.sex:
                errors.setdefault("sex", []).append(
                    ValidationError(
                        _("The sex does not match the ID number (its 17th digit is odd for men, even for women)."),
                        code="sex_mismatch",
                    )
                )
            other = None
            if not getattr(self, "_id_clash_checked", False):  # a bulk check (the import) has looked already
                clash = PartyMember.objects.filter(id_number_hash=lookup_hash(self.id_number)).exclude(pk=self.pk)
                other = clash.select_related("village").first()
            if other is not None:
                errors.setdefault("id_number", []).append(
                    ValidationError(
                        _(
                            "This ID number already belongs to a party member on record (%(where)s). "
                            "A person is entered only once; transfer the existing record instead."
                        ),
                        params={
                            "where": other.village.name if other.village_id == self.village_id else _("another village")
                        },
                        code="id_duplicate",
                    )
                )
        if self.birth_date and self.joined_on:
            if self.joined_on <= self.birth_date:
                errors.setdefault("joined_on", []).append(
                    ValidationError(_("The date joined must be after the birth date."), code="joined_before_birth")
                )
            elif self.joined_on < periods.add_years(self.birth_date, ADULT_AGE):
                errors.setdefault("joined_on", []).append(
                    ValidationError(
                        _("A member joins the party at 18 or older; check the date joined and the birth date."),
                        code="joined_too_young",
                    )
                )
        if self.joined_on and self.joined_on > clock.today():
            errors.setdefault("joined_on", []).append(
                ValidationError(_("The date joined cannot be in the future."), code="joined_future")
            )
        self._clean_national_record(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_national_record(self, errors: dict[str, list]) -> None:
        """转正日期 lies between the date joined and today."""
        if self.full_member_on is None:
            return
        if self.joined_on and self.full_member_on < self.joined_on:
            errors.setdefault("full_member_on", []).append(
                ValidationError(
                    _("The date of becoming a full member cannot be before the date joined."), code="full_before_joined"
                )
            )
        if self.full_member_on > clock.today():
            errors.setdefault("full_member_on", []).append(
                ValidationError(_("The date of becoming a full member cannot be in the future."), code="full_future")
            )


# The one ID mask and the one phone mask (core.fields), under the names the rooms above already import.
mask_id_number = fields.mask_id_number
mask_phone = fields.mask_phone


class AnnualReview(models.Model):
    """A member's grade in the year's 民主评议 (democratic appraisal of party members), entered by the branch."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀 excellent")
        QUALIFIED = "qualified", _("合格 qualified")
        BASIC = "basic", _("基本合格 basically qualified")
        UNQUALIFIED = "unqualified", _("不合格 unqualified")

    member = models.ForeignKey(
        PartyMember, models.PROTECT, related_name="reviews", verbose_name=_("party member"), db_index=False
    )
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("entered by")
    )

    objects = scoped_manager("member__village")
    history = audit_history()

    class Meta:
        verbose_name = _("民主评议 grade")
        verbose_name_plural = _("民主评议 grades")
        ordering = ["-year", "member__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"],
                name="review_once_a_year",
                violation_error_message=_("This member already has a grade for this year."),
            ),
        ]
        indexes = [models.Index(fields=["year", "grade"], name="review_year_grade_idx")]

    def __str__(self) -> str:
        return f"{self.member} {self.year} {self.get_grade_display()}"


# The member's standing over time and members working away: their own modules, imported here so that Django finds
# their models in the members app.
from members.away.models import *  # noqa: E402, F403
from members.standing.models import *  # noqa: E402, F403
