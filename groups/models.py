"""Villager groups (社), party groups (党小组), which villager groups each covers, posts and leader elections."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from audit.history import audit_history
from core import periods
from core.words import day_cn
from groups.ledger import guards
from township.models import ConstraintErrorsOnFields, ScopedQuerySet, scoped_manager


class InForceQuerySetMixin:
    """Rows in force over time: from their start date until their end date, the first day they no longer hold (or on
    without one). The one home of "existed in that period" for party groups, posts and coverage (`core.periods` asks
    the same of dates in Python)."""

    start_field = "started_on"
    end_field = "ended_on"

    def _not_ended_by(self, day: datetime.date) -> Q:
        return Q(**{f"{self.end_field}__isnull": True}) | Q(**{f"{self.end_field}__gt": day})

    def overlapping(self, first: datetime.date, last: datetime.date):
        """In force on some day of `first`–`last` (both included)."""
        return self.filter(Q(**{f"{self.start_field}__lte": last}), self._not_ended_by(first))

    def on(self, day: datetime.date):
        """In force on `day`: begun on or before it and not yet ended."""
        return self.overlapping(day, day)

    def not_ended_by(self, day: datetime.date):
        """Not ended on or before `day` (whatever day they began)."""
        return self.filter(self._not_ended_by(day))

    def current(self):
        """Without an end date: the current record, whatever day it began — what the "one active …" database
        constraints count. (`on(today)` is the other question: in force today.)"""
        return self.filter(**{f"{self.end_field}__isnull": True})


class PartyGroupPartQuerySet(InForceQuerySetMixin, ScopedQuerySet):
    """Rows that belong to a party group and have a from–to period (coverage, posts)."""

    scope_path = "party_group__village"


class PartyGroupQuerySet(InForceQuerySetMixin, ScopedQuerySet):
    """Party groups, from their establishment until their dissolution (the first day a group no longer exists)."""

    scope_path = "village"
    start_field = "established_on"
    end_field = "dissolved_on"


# Realistic limits for one villager group (社): the surveyed township's 83 villager groups have a few dozen households
# each; the largest villager groups in the county have a few hundred. Anything beyond these is a typing mistake.
MAX_HOUSEHOLDS = 2000
MAX_POPULATION = 10000
households_within_limit = MaxValueValidator(
    MAX_HOUSEHOLDS, message=f"一个村民小组不会超过{MAX_HOUSEHOLDS}户：请核对户数后重新输入。"
)
population_within_limit = MaxValueValidator(
    MAX_POPULATION, message=f"一个村民小组不会超过{MAX_POPULATION}人：请核对人口数后重新输入。"
)


class VillagerGroup(ConstraintErrorsOnFields, models.Model):
    """A villager group (村民小组, locally 社), numbered within its village: 1社, 5社…"""

    village = models.ForeignKey(
        "township.Village", models.PROTECT, related_name="villager_groups", verbose_name=_("village"), db_index=False
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=30, help_text=_("Usually the number followed by 社, e.g. 5社."))
    households = models.PositiveIntegerField(
        _("households"), default=0, validators=[households_within_limit], help_text=f"0–{MAX_HOUSEHOLDS}户"
    )
    population = models.PositiveIntegerField(
        _("population"), default=0, validators=[population_within_limit], help_text=f"0–{MAX_POPULATION}人"
    )
    abolished_on = models.DateField(
        _("merged or abolished on"), null=True, blank=True, help_text=_("Leave empty while the villager group exists.")
    )
    # The ledger's balance, so the dashboards add up one number per villager group instead of every entry of every
    # year. The database keeps it (groups/ledger/guards.py on PostgreSQL, append_only.py on SQLite): each posted entry
    # is added to it in the same statement, and any other value than the sum of the entries is refused. The entries
    # stay the record: `manage.py verify_fund_balances` compares every balance with them.
    fund_balance = models.DecimalField(
        _("collective fund balance"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        db_default=Decimal("0.00"),
        editable=False,
    )

    constraint_error_fields = {
        "villager_group_number_unique_in_village": "number",
        "villager_group_name_unique_in_village": "name",
    }
    objects = scoped_manager("village")
    history = audit_history(excluded_fields=["fund_balance"])  # the entries themselves are the history

    class Meta:
        verbose_name = _("villager group")
        verbose_name_plural = _("villager groups")
        ordering = ["village__name", "number"]
        # PostgreSQL: the stored balance is always the sum of the entries (groups/ledger/guards.py).
        triggers = [guards.balance_is_sum_of_entries]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "number"],
                name="villager_group_number_unique_in_village",
                violation_error_message=_("This village already has a villager group with this number."),
            ),
            models.UniqueConstraint(
                fields=["village", "name"],
                name="villager_group_name_unique_in_village",
                violation_error_message=_("This village already has a villager group with this name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village.name}{self.name}"

    def party_group_on(self, day: datetime.date) -> PartyGroup | None:
        """The party group that looked after this villager group on `day` (its coverage in force that day), or None."""
        coverage = Coverage.objects.on(day).filter(villager_group=self).select_related("party_group").first()
        return coverage.party_group if coverage else None

    def current_party_group(self) -> PartyGroup | None:
        """The party group of its current coverage (the one without an end date, whatever day it began), or None."""
        coverage = Coverage.objects.current().filter(villager_group=self).select_related("party_group").first()
        return coverage.party_group if coverage else None


class PartyGroup(ConstraintErrorsOnFields, models.Model):
    """A party group (党小组) inside a village branch, looking after one or more villager groups."""

    village = models.ForeignKey(
        "township.Village", models.PROTECT, related_name="party_groups", verbose_name=_("village"), db_index=False
    )
    name = models.CharField(_("name"), max_length=50, help_text=_("For example: 第三党小组 or 4社党小组."))
    established_on = models.DateField(_("established on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    constraint_error_fields = {
        "party_group_name_unique_in_village": "name",
        "party_group_dissolved_after_established": "dissolved_on",
    }
    objects = PartyGroupQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = _("party group")
        verbose_name_plural = _("party groups")
        ordering = ["village__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "name"],
                name="party_group_name_unique_in_village",
                violation_error_message=_("This village already has a party group with this name."),
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=F("established_on")),
                name="party_group_dissolved_after_established",
                violation_error_message=_("A party group cannot be dissolved before it was established."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def existed_in(self, first: datetime.date, last: datetime.date) -> bool:
        """Whether the group existed on some day of `first`–`last` (`PartyGroup.objects.overlapping` in Python)."""
        return periods.overlaps(self.established_on, self.dissolved_on, first, last)

    def villager_groups_in(self, first: datetime.date, last: datetime.date) -> models.QuerySet[VillagerGroup]:
        """The villager groups it looked after on some day of `first`–`last`."""
        covered = Coverage.objects.overlapping(first, last).filter(party_group=self)
        return VillagerGroup.objects.filter(pk__in=covered.values("villager_group_id"))


class Coverage(ConstraintErrorsOnFields, models.Model):
    """Which party group looks after a villager group, from when to when: the history of the assignment."""

    party_group = models.ForeignKey(PartyGroup, models.PROTECT, related_name="coverages", verbose_name=_("party group"))
    villager_group = models.ForeignKey(
        VillagerGroup, models.PROTECT, related_name="coverages", verbose_name=_("villager group")
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    constraint_error_fields = {
        "villager_group_one_active_party_group": "villager_group",
        "coverage_ends_after_start": "ended_on",
    }
    objects = PartyGroupPartQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = _("villager group covered")
        verbose_name_plural = _("villager groups covered")
        ordering = ["villager_group__number", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["villager_group"],
                condition=Q(ended_on__isnull=True),
                name="villager_group_one_active_party_group",
                violation_error_message=_(
                    "This villager group is already looked after by another party group. End that coverage first."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="coverage_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_group} → {self.villager_group}"

    def clean(self) -> None:
        both = self.party_group_id and self.villager_group_id
        if both and self.party_group.village_id != self.villager_group.village_id:
            raise ValidationError(
                {"villager_group": _("A party group can only look after villager groups of its own village.")}
            )


def role_rank():
    """An expression ordering posts leader, deputy, member (alphabetical order would put deputies first)."""
    return models.Case(
        models.When(role="leader", then=models.Value(0)),
        models.When(role="deputy", then=models.Value(1)),
        default=models.Value(2),
    )


class GroupPost(ConstraintErrorsOnFields, models.Model):
    """A member's place in a party group — leader (组长), deputy (副组长) or member — from a date to a date.

    This is the one record of a member's history in party groups. The database keeps: one active leader per group,
    at most two active deputies (seats 1 and 2), and one active post per member (one active group per member).
    """

    class Role(models.TextChoices):
        LEADER = "leader", _("leader")
        DEPUTY = "deputy", _("deputy leader")
        MEMBER = "member", _("member")

    MAX_DEPUTIES = 2

    party_group = models.ForeignKey(
        PartyGroup, models.PROTECT, related_name="posts", verbose_name=_("party group"), db_index=False
    )
    member = models.ForeignKey(
        "members.PartyMember", models.PROTECT, related_name="posts", verbose_name=_("party member")
    )
    role = models.CharField(_("post"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    # Deputies hold seat 1 or 2, so "at most two deputies" is a unique constraint the database can keep.
    seat = models.PositiveSmallIntegerField(_("seat"), null=True, blank=True, editable=False)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    election = models.ForeignKey(
        "groups.LeaderElection",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("election"),
    )

    constraint_error_fields = {
        "party_group_one_active_leader": "role",
        "party_group_two_deputy_seats": "role",
        "post_seat_only_for_deputies": "role",
        "member_one_active_party_group": "member",
        "post_ends_after_start": "ended_on",
    }
    objects = PartyGroupPartQuerySet.as_manager()
    history = audit_history()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["party_group", "role", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_group"],
                condition=Q(role="leader", ended_on__isnull=True),
                name="party_group_one_active_leader",
                violation_error_message=_(
                    "This party group already has a leader. End the current leader's post first."
                ),
            ),
            models.UniqueConstraint(
                fields=["party_group", "seat"],
                condition=Q(role="deputy", ended_on__isnull=True),
                name="party_group_two_deputy_seats",
                violation_error_message=_("This party group already has two deputy leaders."),
            ),
            models.CheckConstraint(
                # seat IS NOT NULL spelled out: a NULL seat would make the check unknown, which SQL lets pass.
                condition=Q(role="deputy", seat__isnull=False, seat__in=[1, 2])
                | (~Q(role="deputy") & Q(seat__isnull=True)),
                name="post_seat_only_for_deputies",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(ended_on__isnull=True),
                name="member_one_active_party_group",
                violation_error_message=_(
                    "This member already belongs to a party group. A member is in one party group at a time: "
                    "end the other post first."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="post_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [models.Index(fields=["party_group", "ended_on"], name="post_group_active_idx")]

    def __str__(self) -> str:
        return f"{self.party_group} · {self.get_role_display()} · {self.member}"

    def clean(self) -> None:
        """Same village; the deputy seat is chosen here so the two-deputy rule answers in words, not a 500."""
        errors = {}
        if self.party_group_id and self.member_id and self.party_group.village_id != self.member.village_id:
            errors["member"] = _("Only members of the party group's own village branch can hold a post in it.")
        if self.role == self.Role.DEPUTY and self.ended_on is None and self.party_group_id:
            taken = set(
                GroupPost.objects.filter(
                    party_group_id=self.party_group_id, role=self.Role.DEPUTY, ended_on__isnull=True
                )
                .exclude(pk=self.pk)
                .values_list("seat", flat=True)
            )
            free = [s for s in range(1, self.MAX_DEPUTIES + 1) if s not in taken]
            if self.seat in free:
                pass
            elif free:
                self.seat = free[0]
            else:
                errors["role"] = _(
                    "This party group already has two deputy leaders; a group has one or two. "
                    "End one deputy's post before adding another."
                )
        elif self.role == self.Role.DEPUTY and self.seat is None:
            self.seat = 1
        elif self.role != self.Role.DEPUTY:
            self.seat = None
        if errors:
            raise ValidationError(errors)


class LeaderElection(ConstraintErrorsOnFields, models.Model):
    """How a party group's leader and deputies came to hold their posts: elected by the group's full members, with the
    votes and the outcome, or appointed by the branch (支部工作条例), with the branch's decision (who decided, the
    document number and date). Either way the record says who decided and when."""

    class Outcome(models.TextChoices):
        PASSED = "passed", _("valid: posts appointed")
        FAILED = "failed", _("failed: nobody appointed")

    class Method(models.TextChoices):
        ELECTED = "elected", "党小组选举"
        APPOINTED = "appointed", "支部委派"

    party_group = models.ForeignKey(PartyGroup, models.PROTECT, related_name="elections", verbose_name=_("party group"))
    method = models.CharField("产生方式", max_length=10, choices=Method.choices, default=Method.ELECTED)
    held_on = models.DateField(_("held on"))
    # Who decided: the group's full members (an election) or the branch committee (an appointment), as written.
    decided_by = models.CharField("决定机关", max_length=100, blank=True, default="")
    document_number = models.CharField(
        "决定文号", max_length=50, blank=True, default="", help_text="支部委派的决定文号，如：罗紫支〔2027〕3号。"
    )
    members_entitled = models.PositiveSmallIntegerField(_("members entitled to vote"))
    members_present = models.PositiveSmallIntegerField(_("members present"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    failure_reason = models.TextField(_("why it failed"), max_length=2000, blank=True)
    rules = models.CharField(
        _("rules applied"), max_length=100, blank=True, help_text=_("The quorum and majority in force that day.")
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    constraint_error_fields = {
        "election_present_at_most_entitled": "members_present",
        "appointment_names_its_decision": "document_number",
    }
    objects = scoped_manager("party_group__village")
    history = audit_history()

    class Meta:
        verbose_name = _("leader election")
        verbose_name_plural = _("leader elections")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(members_present__lte=F("members_entitled")),
                name="election_present_at_most_entitled",
                violation_error_message=_("More members present than entitled to vote: check both numbers."),
            ),
            models.CheckConstraint(
                condition=Q(method="elected") | (~Q(document_number="") & ~Q(decided_by="")),
                name="appointment_names_its_decision",
                violation_error_message="支部委派须写明决定机关和决定文号。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_group} {day_cn(self.held_on)}"

    @property
    def is_appointment(self) -> bool:
        return self.method == self.Method.APPOINTED


class ElectionCandidate(models.Model):
    """A candidate in an election, the office stood for, votes received, and whether elected."""

    class Office(models.TextChoices):
        LEADER = "leader", _("leader")
        DEPUTY = "deputy", _("deputy leader")

    election = models.ForeignKey(
        LeaderElection, models.CASCADE, related_name="candidates", verbose_name=_("election"), db_index=False
    )
    member = models.ForeignKey("members.PartyMember", models.PROTECT, related_name="+", verbose_name=_("candidate"))
    office = models.CharField(_("office"), max_length=10, choices=Office.choices)
    # None for a branch appointment: nobody voted.
    votes = models.PositiveSmallIntegerField(_("votes received"), null=True, blank=True)
    elected = models.BooleanField(_("elected"), default=False)

    objects = scoped_manager("election__party_group__village")
    history = audit_history()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["office", "-votes"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "member"],
                name="candidate_once_per_election",
                violation_error_message=_("A member stands once per election."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.get_office_display()}, {self.votes})"


class MeetingDecision(ConstraintErrorsOnFields, models.Model):
    """A villager group meeting's decision (村民小组会议) on its collective money: who could attend, who did, the vote.

    The rule (township setting, default): at least two thirds of the adults or households present, and more than half
    of those present voting for. Expenses above the township's threshold, and every distribution, cite one.
    """

    class Basis(models.TextChoices):
        HOUSEHOLDS = "households", _("household representatives")
        ADULTS = "adults", _("adult villagers")

    villager_group = models.ForeignKey(
        VillagerGroup, models.PROTECT, related_name="decisions", verbose_name=_("villager group")
    )
    held_on = models.DateField(_("meeting held on"))
    subject = models.TextField(_("what was decided"), max_length=2000)
    basis = models.CharField(_("counted by"), max_length=12, choices=Basis.choices, default=Basis.HOUSEHOLDS)
    entitled = models.PositiveIntegerField(_("entitled to attend"))
    present = models.PositiveIntegerField(_("present"))
    votes_for = models.PositiveIntegerField(_("votes for"))
    publicised_on = models.DateField(_("result publicised on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    constraint_error_fields = {
        "decision_present_at_most_entitled": "present",
        "decision_votes_at_most_present": "votes_for",
        "decision_entitled_positive": "entitled",
    }
    objects = scoped_manager("villager_group__village")
    history = audit_history()

    class Meta:
        verbose_name = _("villager group meeting decision")
        verbose_name_plural = _("villager group meeting decisions")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(present__lte=F("entitled")),
                name="decision_present_at_most_entitled",
                violation_error_message=_("More people present than entitled to attend: check both numbers."),
            ),
            models.CheckConstraint(
                condition=Q(votes_for__lte=F("present")),
                name="decision_votes_at_most_present",
                violation_error_message=_("More votes for than people present: check both numbers."),
            ),
            models.CheckConstraint(
                condition=Q(entitled__gt=0),
                name="decision_entitled_positive",
                violation_error_message=_("Enter how many households or adults were entitled to attend."),
            ),
        ]

    def __str__(self) -> str:
        return f"{day_cn(self.held_on)} {self.subject[:30]}"


class FundEntry(models.Model):
    """One line of a villager group's collective-fund ledger (村民小组集体经费). Never edited or deleted: a mistake
    is corrected by a reversing entry that points at the original."""

    class Direction(models.TextChoices):
        INCOME = "income", _("income")
        EXPENSE = "expense", _("expense")

    class Category(models.TextChoices):
        CONTRACTING = "contracting", _("contracting income")
        SUBSIDY = "subsidy", _("subsidy")
        OPERATIONS = "operations", _("collective operations")
        CONSTRUCTION = "construction", _("construction")
        DISTRIBUTION = "distribution", _("distribution")
        OTHER = "other", _("other")

    villager_group = models.ForeignKey(
        VillagerGroup, models.PROTECT, related_name="fund_entries", verbose_name=_("villager group"), db_index=False
    )
    party_group = models.ForeignKey(
        PartyGroup,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_entries",
        verbose_name=_("kept by party group"),
    )
    entry_date = models.DateField(_("date"))
    direction = models.CharField(_("income or expense"), max_length=8, choices=Direction.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    counterparty = models.CharField(_("paid by / paid to"), max_length=100, blank=True)
    purpose = models.TextField(_("purpose"), max_length=2000)
    decision = models.ForeignKey(
        MeetingDecision,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_entries",
        verbose_name=_("meeting decision"),
    )
    reverses = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses entry"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = scoped_manager("villager_group__village")
    history = audit_history()

    class Meta:
        verbose_name = _("fund entry")
        verbose_name_plural = _("fund entries")
        ordering = ["entry_date", "pk"]
        # PostgreSQL: no TRUNCATE, and each posting moves its villager group's balance (groups/ledger/guards.py).
        triggers = [guards.refuse_truncate, guards.carry_to_balance]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="fund_entry_amount_positive",
                violation_error_message=_("The amount must be more than zero; record money going out as an expense."),
            ),
        ]
        indexes = [
            # A covering index (PostgreSQL's INCLUDE): a balance, all time or as of a day, is summed from the index
            # alone, and a ledger is read in date order through it. On SQLite INCLUDE is left out (models.W040,
            # silenced in settings) and the plain index serves.
            models.Index(
                fields=["villager_group", "entry_date"],
                include=["direction", "amount"],
                name="fund_entry_balance_cover_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{day_cn(self.entry_date)} {self.get_direction_display()} {self.amount}"

    @property
    def signed_amount(self):
        return self.amount if self.direction == self.Direction.INCOME else -self.amount


class PendingImport(models.Model):
    """A roster file uploaded and waiting for its importer to confirm or discard it (groups/roster/pending.py).

    The file holds full ID and phone numbers, so it is kept only here, Fernet-encrypted with the personal-data keys
    (as is its reconciliation, made by a job and read by the preview), and removed when confirmed (in the import's own
    transaction), discarded, or a day old (`manage.py cleanup_personal_data`) — never as a plain file on disk.
    """

    token = models.CharField(_("token"), max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("account"))
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content = models.BinaryField(_("encrypted file"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    # The reconciliation of the file (groups/roster/import_job.py), encrypted like the file, and the job that made it:
    # saved in the same transaction that marks that job done, read back by the preview.
    plan = models.BinaryField(_("encrypted reconciliation"), blank=True, default=b"")
    plan_job = models.UUIDField(_("reconciliation job"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster file waiting to be imported")
        verbose_name_plural = _("roster files waiting to be imported")

    def __str__(self) -> str:
        return self.filename
