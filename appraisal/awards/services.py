"""The award decision (表彰): candidates ranked from the year's scores, the branches' nominations, the township's
decision within the year's quotas, the lock of the year with the streak rule, reopening, and the reserve-cadre lists.

Services (`award_nominate`, `award_decide`, `year_decide`, …) are keyword-only, run in one transaction with the
appraisal year's row locked, take the acting user (recorded by django-simple-history and in the `…_by` fields), and
raise `ValidationError` with a code (`locked`, `state`, `quota`, `duplicate`, `not_eligible`, `reason`, …) on input
that breaks a rule, or `PermissionDenied` when the person may not make the change at all. `acting_user=None` is a
system action (demo data, management commands).

Selectors (`advanced_group_candidates`, …) read a bounded number of queries however many groups and members.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Exists, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal.awards.rules import (
    OVERRIDE,
    QUOTA_FIELDS,
    TIE,
    Standing,
    amount_of,
    leader_qualifies,
    quota_of,
    ranking_key,
    ranks,
    ranks_above,
    reasons_needed,
    streak_of,
    streak_reason,
    tied_at_quota,
    year_leaders,
)
from appraisal.models import (
    AppraisalYear,
    Award,
    DecisionRecord,
    ReserveCandidate,
    SpotCheck,
    YearReopening,
)
from appraisal.rules import (
    ensure_not_locked,
    group_year_scores,
    rubric_maximum,
    rubric_points,
    scores_from,
)
from audit.events import Action, record
from core import clock, periods, rounding
from core.stamp import stamp, user_or_none
from groups.models import GroupPost, PartyGroup
from members.models import AnnualReview, PartyMember, numbers_of
from members.standing.models import StandingRules
from members.standing.selectors import probationary_may_be_excellent, standing_on, state_at
from township.capabilities import require
from township.changes import kept_for_villages
from township.models import Village

Kind = Award.Kind
Status = Award.Status
State = AppraisalYear.State
ReserveList = ReserveCandidate.List

DECIDABLE_KINDS = (Kind.ADVANCED_GROUP, Kind.EXCELLENT_LEADER, Kind.EXCELLENT_MEMBER)
MEMBER_KINDS = (Kind.EXCELLENT_LEADER, Kind.EXCELLENT_MEMBER)
HUNDRED = Decimal("100")


# --- who may do what ------------------------------------------------------------------------------------------------


def _require_township(user, year: AppraisalYear) -> None:
    """The year's township decides (its staff, the administrator, or a system action)."""
    require(user, "awards.decide", year.township)


# --- the year ------------------------------------------------------------------------------------------------------


def _lock_year(year: AppraisalYear) -> AppraisalYear:
    """The year's row, locked for the rest of the transaction, so two decisions run one after the other."""
    return AppraisalYear.objects.select_for_update().get(pk=year.pk)


def _require_state(year: AppraisalYear, state: str) -> None:
    if year.state == state:
        return
    messages = {
        State.OPEN: _("The %(y)d appraisal is no longer open for this step."),
        State.NOMINATING: _(
            "The %(y)d appraisal is not taking nominations and decisions now: the township opens them first."
        ),
        State.DECIDED: _("The %(y)d appraisal has not been decided yet."),
    }
    raise ValidationError(messages[state] % {"y": year.year}, code="state")


def _required_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason."), code="reason")
    return reason


def groups_of_year(year: AppraisalYear, villages=None) -> QuerySet[PartyGroup]:
    """The township's party groups that existed at some time in the year (within `villages` if given)."""
    groups = PartyGroup.objects.overlapping(*periods.year_range(year.year))
    groups = groups.filter(village__township_id=year.township_id)
    if villages is not None:
        groups = groups.filter(village__in=villages)
    return groups


# --- candidates -----------------------------------------------------------------------------------------------------


@dataclass
class GroupCandidate:
    """A party group for 先进党小组, with the parts of its year score as evidence."""

    party_group: PartyGroup
    score: Decimal | None
    rubric_points: Decimal
    rubric_max: Decimal
    spot_checks: int
    spot_average: Decimal | None
    spot_poor: int
    rank: int | None = None
    award: Award | None = None

    @property
    def village(self) -> Village:
        return self.party_group.village

    @property
    def rubric_percent(self) -> Decimal | None:
        return rounding.percent(self.rubric_points, self.rubric_max)

    @property
    def target_id(self) -> int:
        return self.party_group.pk


@dataclass
class LeaderCandidate:
    """A group leader for 优秀党小组长: the group led in the year, for how long, and the group's score."""

    member: PartyMember
    party_group: PartyGroup
    led_from: datetime.date
    led_until: datetime.date | None  # first day off, as GroupPost.ended_on
    days_led: int
    serving_at_year_end: bool
    score: Decimal | None = None
    rank: int | None = None
    award: Award | None = None

    @property
    def village(self) -> Village:
        return self.member.village

    @property
    def target_id(self) -> int:
        return self.member.pk


@dataclass
class MemberCandidate:
    """A member graded 优秀 in the year's 民主评议, with their party group and its score."""

    member: PartyMember
    review: AnnualReview
    post: GroupPost | None = None
    score: Decimal | None = None
    rank: int | None = None
    award: Award | None = None

    @property
    def village(self) -> Village:
        return self.member.village

    @property
    def party_group(self) -> PartyGroup | None:
        return self.post.party_group if self.post else None

    @property
    def target_id(self) -> int:
        return self.member.pk


def _rank(candidates: list) -> list:
    """Number the candidates in order (`rules.ranks`): equal scores share a rank (1, 2, 2, 4); no score, no rank."""
    for c, rank in zip(candidates, ranks([c.score for c in candidates]), strict=True):
        c.rank = rank
    return candidates


def _awards_by_target(year: AppraisalYear, kind: str, target: str) -> dict[int, Award]:
    awards = Award.objects.filter(year=year, kind=kind).select_related("nominated_by", "decided_by")
    return {getattr(a, f"{target}_id"): a for a in awards}


def advanced_group_candidates(year: AppraisalYear, villages=None, *, awards: bool = True) -> list[GroupCandidate]:
    """The year's party groups ranked by year score, with its rubric and spot-check parts (5 queries)."""
    groups = list(groups_of_year(year, villages).select_related("village"))
    ids = [g.pk for g in groups]
    rubric_max = rubric_maximum(year)
    rubric = rubric_points(year, ids)
    checks = {
        row["party_group"]: row
        for row in SpotCheck.objects.filter(year=year, party_group_id__in=ids)
        .values("party_group")
        .annotate(n=Count("pk"), avg=Avg("points"), poor=Count("pk", filter=Q(rating=SpotCheck.Rating.POOR)))
    }
    # the year scores from the same three reads (`group_year_scores` would make them again)
    scores = scores_from(year, maximum=rubric_max, rubric=rubric, spot={pk: row["avg"] for pk, row in checks.items()})
    awards = _awards_by_target(year, Kind.ADVANCED_GROUP, "party_group") if awards else {}
    out = []
    for g in groups:
        check = checks.get(g.pk, {})
        avg = check.get("avg")
        out.append(
            GroupCandidate(
                party_group=g,
                score=scores.get(g.pk),
                rubric_points=Decimal(rubric.get(g.pk) or 0),
                rubric_max=rubric_max,
                spot_checks=check.get("n", 0),
                spot_average=rounding.score(avg) if avg is not None else None,
                spot_poor=check.get("poor", 0),
                award=awards.get(g.pk),
            )
        )
    out.sort(key=lambda c: ranking_key(c.score, c.village.name, c.party_group.name))
    return _rank(out)


def _leadership(year: AppraisalYear, groups: QuerySet[PartyGroup], member_ids=None) -> dict[int, LeaderCandidate]:
    """Who led a party group in the year: serving at the year's end, or leading it most of the year (one query).

    A member who led two groups in the year counts once, for the group they led at year end or longest
    (`rules.year_leaders`).
    """
    start, end = periods.year_range(year.year)
    posts = GroupPost.objects.overlapping(start, end).filter(role=GroupPost.Role.LEADER, party_group__in=groups)
    if member_ids is not None:
        posts = posts.filter(member_id__in=member_ids)
    posts = posts.select_related("member__village", "party_group__village").defer(*numbers_of("member"))
    terms = ((p.member_id, p.started_on, p.ended_on, p) for p in posts)
    return {
        member_id: LeaderCandidate(
            member=led.term.member,
            party_group=led.term.party_group,
            led_from=led.term.started_on,
            led_until=led.term.ended_on,
            days_led=led.days,
            serving_at_year_end=led.at_year_end,
        )
        for member_id, led in year_leaders(terms, year.year).items()
    }


def excellent_leader_candidates(year: AppraisalYear, villages=None, *, awards: bool = True) -> list[LeaderCandidate]:
    """Leaders of the year whose groups scored 80 or more (`rules.leader_qualifies`), ranked by group
    score (6 queries)."""
    leaders = _leadership(year, groups_of_year(year, villages))
    scores = group_year_scores(year, party_group_ids=sorted({c.party_group.pk for c in leaders.values()}))
    awards = _awards_by_target(year, Kind.EXCELLENT_LEADER, "member") if awards else {}
    out = []
    for c in leaders.values():
        c.score = scores.get(c.party_group.pk)
        if leader_qualifies(c.score):
            c.award = awards.get(c.member.pk)
            out.append(c)
    out.sort(key=lambda c: ranking_key(c.score, c.village.name, c.member.name))
    return _rank(out)


def _in_standing(reviews, year: AppraisalYear):
    """Only members who may be proposed by their standing on the year's date (see `_check_standing`), in the same
    query: not left, not suspended, and probationary only where the township allows it."""
    day = min(datetime.date(year.year, 12, 31), clock.today())
    allowed = StandingRules.objects.filter(township_id=year.township_id, probationary_may_be_excellent=True)
    Status = PartyMember.Status
    return reviews.annotate(
        standing=state_at(day, member_ref="member_id", prefix="member__"), probationers_allowed=Exists(allowed)
    ).filter(Q(standing=Status.FULL) | Q(standing=Status.PROBATIONARY, probationers_allowed=True))


def excellent_member_candidates(year: AppraisalYear, villages=None, *, awards: bool = True) -> list[MemberCandidate]:
    """Members graded 优秀 in the year's 民主评议, ordered by their party group's score (7 queries)."""
    reviews = AnnualReview.objects.filter(
        year=year.year, grade=AnnualReview.Grade.EXCELLENT, member__village__township_id=year.township_id
    )
    if villages is not None:
        reviews = reviews.filter(member__village__in=villages)
    reviews = _in_standing(reviews, year)
    reviews = reviews.select_related("member__village").defer(*numbers_of("member"))  # shown by name: kept so
    out = {r.member_id: MemberCandidate(member=r.member, review=r) for r in reviews}
    _, end = periods.year_range(year.year)
    posts = GroupPost.objects.on(end).filter(member_id__in=list(out)).select_related("party_group")
    for post in posts:
        out[post.member_id].post = post
    scores = group_year_scores(year, party_group_ids=sorted({c.post.party_group_id for c in out.values() if c.post}))
    awards = _awards_by_target(year, Kind.EXCELLENT_MEMBER, "member") if awards else {}
    for c in out.values():
        c.score = scores.get(c.post.party_group_id) if c.post else None
        c.award = awards.get(c.member.pk)
    ranked = sorted(out.values(), key=lambda c: ranking_key(c.score, c.village.name, c.member.name))
    return _rank(ranked)


CANDIDATES = {
    Kind.ADVANCED_GROUP: advanced_group_candidates,
    Kind.EXCELLENT_LEADER: excellent_leader_candidates,
    Kind.EXCELLENT_MEMBER: excellent_member_candidates,
}
TARGET = {Kind.ADVANCED_GROUP: "party_group", Kind.EXCELLENT_LEADER: "member", Kind.EXCELLENT_MEMBER: "member"}


def ranked_candidates(year: AppraisalYear, kind: str, villages: QuerySet[Village]) -> list:
    """`CANDIDATES[kind](year, villages)` for a page: the ranking kept between requests, each candidate's award read
    afresh (4 queries where the ranking is kept: the villages, their counts and the kept ranking, then the awards).

    The ranking reads the year's rubric, scores and spot checks, the villages' party groups, posts, members, their
    standing, 民主评议 grades and the township's standing rules: every one of them raises the villages' change or work
    count in the database (township.changes), so it is kept under those counts and the day (`kept_for_villages`),
    and a score, a rename or a new leader shows at the next request. It is kept without the awards (who nominated
    and decided is read each time) and with no member's numbers (deferred)."""
    if settings.VILLAGE_FIGURES_KEPT:
        ids = list(villages.values_list("pk", flat=True))
        name = f"award-candidates:{year.pk}:{kind}:{clock.today().isoformat()}"
        candidates = kept_for_villages(ids, name, lambda: CANDIDATES[kind](year, villages, awards=False), work=True)
    else:  # counted every time: not even the villages' ids read
        candidates = CANDIDATES[kind](year, villages, awards=False)
    target = f"{TARGET[kind]}_id"
    awards = Award.objects.filter(year=year, kind=kind).only("status", target)  # the page shows each one's status
    by_target = {getattr(a, target): a for a in awards}
    for c in candidates:
        c.award = by_target.get(c.target_id)
    return candidates


def evidence_text(year: AppraisalYear, candidate) -> str:
    """A one-line summary of a candidate's evidence, offered as the nomination's reason."""
    if isinstance(candidate, GroupCandidate):
        text = _("%(y)d year score %(s)s") % {"y": year.year, "s": "—" if candidate.score is None else candidate.score}
        if candidate.rubric_percent is not None:
            text += _("; regular appraisal %(p)s%%") % {"p": candidate.rubric_percent}
        if candidate.spot_checks:
            text += _("; %(n)d spot checks, average %(a)s") % {"n": candidate.spot_checks, "a": candidate.spot_average}
        return text
    if isinstance(candidate, LeaderCandidate):
        return _("Leader of %(g)s; the group's %(y)d year score %(s)s") % {
            "g": candidate.party_group.name,
            "y": year.year,
            "s": candidate.score,
        }
    text = _("Graded 优秀 in the %(y)d 民主评议") % {"y": year.year}
    if candidate.party_group:
        text += _("; member of %(g)s") % {"g": candidate.party_group.name}
    return text


# --- nominations ----------------------------------------------------------------------------------------------------


def _target_village(kind: str, party_group, member) -> Village:
    """The nominee has the shape the kind needs (a group, or a member); returns its village."""
    if kind == Kind.ADVANCED_GROUP:
        if party_group is None or member is not None:
            raise ValidationError(_("Choose the party group."), code="target")
        return party_group.village
    if member is None or party_group is not None:
        raise ValidationError(_("Choose the party member."), code="target")
    return member.village


def _check_standing(year: AppraisalYear, kind: str, member: PartyMember) -> None:
    """Standing on the award year's date (its last day, or today while the year runs): a member who has left or whose
    membership is suspended is not proposed; a probationary member is 优秀党员 only where the township allows it."""
    day = min(datetime.date(year.year, 12, 31), clock.today())
    state = standing_on(member, day)
    when = f"{day.year}年{day.month}月{day.day}日"
    if state == PartyMember.Status.LEFT:
        raise ValidationError(f"{member.name}在{when}已不在本支部，不能推荐表彰。", code="not_eligible")
    if state == PartyMember.Status.SUSPENDED:
        raise ValidationError(f"{member.name}在{when}处于停止党籍期间，不能推荐表彰。", code="not_eligible")
    if (
        state == PartyMember.Status.PROBATIONARY
        and kind == Kind.EXCELLENT_MEMBER
        and not probationary_may_be_excellent(year.township_id)
    ):
        raise ValidationError(
            f"{member.name}在{when}是预备党员；本乡规定预备党员不评为优秀党员（乡镇可在“党籍规则”中更改）。",
            code="not_eligible",
        )


def _check_eligible(year: AppraisalYear, kind: str, party_group, member) -> None:
    """The nominee qualifies for the kind in this year and township."""
    if kind == Kind.ADVANCED_GROUP:
        if not groups_of_year(year).filter(pk=party_group.pk).exists():
            raise ValidationError(
                _("%(g)s is not a party group of this township in %(y)d."),
                code="not_eligible",
                params={"g": party_group.name, "y": year.year},
            )
        return
    if member.village.township_id != year.township_id:
        raise ValidationError(
            _("%(m)s is not a member of this township."), code="not_eligible", params={"m": member.name}
        )
    _check_standing(year, kind, member)
    if kind == Kind.EXCELLENT_LEADER:
        if member.pk not in _leadership(year, groups_of_year(year), member_ids=[member.pk]):
            raise ValidationError(
                _("%(m)s did not lead a party group in %(y)d (at the year's end or for most of the year)."),
                code="not_eligible",
                params={"m": member.name, "y": year.year},
            )
    elif not AnnualReview.objects.filter(member=member, year=year.year, grade=AnnualReview.Grade.EXCELLENT).exists():
        raise ValidationError(
            _("%(m)s was not graded 优秀 in the %(y)d 民主评议."),
            code="not_eligible",
            params={"m": member.name, "y": year.year},
        )


@transaction.atomic
def award_nominate(
    *,
    year: AppraisalYear,
    kind: str,
    party_group: PartyGroup | None = None,
    member: PartyMember | None = None,
    reason: str,
    acting_user,
) -> Award:
    """A branch (or the township) nominates a group, leader or member for an award of the year, with the reason."""
    year = _lock_year(year)
    ensure_not_locked(year)
    _require_state(year, State.NOMINATING)
    if kind not in DECIDABLE_KINDS:
        raise ValidationError(_("This award is not nominated; it follows from the decision."), code="kind")
    village = _target_village(kind, party_group, member)
    require(acting_user, "awards.nominate", village)
    _check_eligible(year, kind, party_group, member)
    reason = _required_reason(reason)
    target = {"party_group": party_group} if kind == Kind.ADVANCED_GROUP else {"member": member}
    if Award.objects.filter(year=year, kind=kind, **target).exists():
        raise ValidationError(
            _("%(who)s is already nominated for this award in %(y)d.")
            % {"who": party_group.name if party_group else member.name, "y": year.year},
            code="duplicate",
        )
    award = Award(
        year=year,
        kind=kind,
        status=Status.NOMINATED,
        village=village,
        reason=reason,
        nominated_by=user_or_none(acting_user),
        nominated_at=timezone.now(),
        **target,
    )
    award.full_clean()
    stamp(award, acting_user).save()
    return award


@transaction.atomic
def award_withdraw(*, award: Award, acting_user) -> None:
    """Take back a nomination the township has not decided (the branch that may nominate it, or the township)."""
    year = _lock_year(award.year)
    ensure_not_locked(year)
    award = Award.objects.select_related("village").get(pk=award.pk)
    require(acting_user, "awards.nominate", award.village)
    if award.status != Status.NOMINATED or award.kind not in DECIDABLE_KINDS:
        raise ValidationError(
            _("The township has decided this award; it must take it out of its decision first."), code="decided"
        )
    stamp(award, acting_user).delete()


# --- the township's decision ----------------------------------------------------------------------------------------


@transaction.atomic
def year_start_nominating(*, year: AppraisalYear, acting_user) -> AppraisalYear:
    """The township closes scoring and opens nominations and decisions for the year."""
    _require_township(acting_user, year)
    year = _lock_year(year)
    ensure_not_locked(year)
    _require_state(year, State.OPEN)
    year.state = State.NOMINATING
    stamp(year, acting_user).save(update_fields=["state"])
    return year


def _check_quotas(year: AppraisalYear, counts: dict[str, int]) -> None:
    for kind in DECIDABLE_KINDS:
        n, quota = counts.get(kind, 0), quota_of(year, kind)
        if n > quota:
            raise ValidationError(
                _("At most %(quota)d can be decided as “%(what)s” in %(y)d; %(n)d are chosen. Choose %(over)d fewer."),
                code="quota",
                params={
                    "kind": kind,
                    "quota": quota,
                    "n": n,
                    "over": n - quota,
                    "what": Kind(kind).label,
                    "y": year.year,
                },
            )


def nomination_standings(year: AppraisalYear, nominations) -> dict[int, object]:
    """Each nomination's candidate (its score, rank and evidence), by award id; None for a nominee the ranking does
    not list (no score, or a leader whose group scored under the line)."""
    out: dict[int, object] = {}
    for kind in DECIDABLE_KINDS:
        mine = [a for a in nominations if a.kind == kind]
        candidates = {c.target_id: c for c in CANDIDATES[kind](year)}  # every kind: a fixed number of queries
        for a in mine:
            out[a.pk] = candidates.get(a.party_group_id if kind == Kind.ADVANCED_GROUP else a.member_id)
    return out


def _score(candidate) -> Decimal | None:
    return getattr(candidate, "score", None)


def _who(award: Award) -> str:
    return award.party_group.name if award.party_group_id else award.member.name


@dataclass
class DecisionReview:
    """What the township must answer before its decision stands: the choices that need a reason (award id → TIE or
    OVERRIDE, with the message), the nominations tied at each kind's quota, and the warnings it is told about."""

    needs_reason: dict[int, str]
    messages: dict[int, str]
    ties: dict[str, set[int]]
    warnings: list[str]
    refused: dict[str, str]


def decision_review(year: AppraisalYear, nominations: list[Award], chosen: set[int], standings=None) -> DecisionReview:
    """Apply the decision rules (`rules.tied_at_quota`, `rules.reasons_needed`) and the township's setting on one
    person named both excellent leader and excellent member to a proposed choice of nominations."""
    standings = standings if standings is not None else nomination_standings(year, nominations)
    needs, ties, messages = {}, {}, {}
    for kind in DECIDABLE_KINDS:
        mine = [a for a in nominations if a.kind == kind]
        rows = [Standing(a.pk, _score(standings.get(a.pk)), a.pk in chosen) for a in mine]
        ties[kind] = tied_at_quota(rows, quota_of(year, kind))
        kind_needs = reasons_needed(rows)
        needs.update(kind_needs)
        for a in mine:
            why = kind_needs.get(a.pk)
            if why == TIE:
                messages[a.pk] = _(
                    "%(who)s has the same score (%(s)s) as a nomination left out: write how the tie is broken."
                ) % {"who": _who(a), "s": _score(standings.get(a.pk))}
            elif why == OVERRIDE:
                mine_score = _score(standings.get(a.pk))
                above = [
                    _who(o) for o in mine if o.pk not in chosen and ranks_above(_score(standings.get(o.pk)), mine_score)
                ]
                messages[a.pk] = _(
                    "%(who)s ranks below %(above)s, who is left out: write why %(who)s is chosen. The reason is "
                    "printed in the award report."
                ) % {"who": _who(a), "above": "、".join(above)}
    leaders = {a.member_id: a for a in nominations if a.kind == Kind.EXCELLENT_LEADER and a.pk in chosen}
    both = [a for a in nominations if a.kind == Kind.EXCELLENT_MEMBER and a.pk in chosen and a.member_id in leaders]
    warnings, refused = [], {}
    for a in both:
        text = _("%(m)s is named both excellent party group leader and excellent party member in %(y)d.") % {
            "m": a.member.name,
            "y": year.year,
        }
        if year.township.leader_and_member_award_same_year:
            warnings.append(text + " " + _("The township allows it; this warning is kept with the decision."))
        else:
            refused[Kind.EXCELLENT_MEMBER] = text + " " + _("The township does not allow it: take one of the two out.")
    return DecisionReview(needs, messages, ties, warnings, refused)


def _stale(year: AppraisalYear) -> ValidationError:
    last = year.decision_records.select_related("decided_by").first()
    who = (last.decided_by.get_full_name() or last.decided_by.username) if last and last.decided_by else _("someone")
    when = clock.local(last.decided_at).strftime("%H:%M") if last else ""
    return ValidationError(
        _(
            "%(who)s saved a decision on this year at %(when)s, after you opened the page. The page now shows what "
            "was decided: check it, then save again."
        )
        % {"who": who, "when": when},
        code="conflict",
    )


@transaction.atomic
def award_decide(
    *,
    year: AppraisalYear,
    awards,
    acting_user,
    publicity: tuple[datetime.date | None, datetime.date | None] | None = None,
    reasons: dict[int, str] | None = None,
    version: int | None = None,
) -> AppraisalYear:
    """The township's decision on the year's nominations: exactly `awards` are decided, within each kind's quota
    (refused with code "quota", nothing written), with the year's amounts; other nominations stay nominations.

    `reasons` (award id → text) are the township's reasons for its choices: a choice that breaks a tie at the quota
    or passes over a higher-ranked nomination needs one, whoever calls (the page, a command, the demo data): without
    it the decision is refused (field `reason_<id>`, code "reason"), nothing written. `version` is
    the year's `decision_version` the person saw: a decision saved since is refused (code "conflict"). Every decision
    is kept as a `DecisionRecord` with every award before and after it and its warnings.

    `publicity` (from, until) sets the public-notice (公示) dates; None leaves them as they are.
    """
    _require_township(acting_user, year)
    year = _lock_year(year)
    ensure_not_locked(year)
    _require_state(year, State.NOMINATING)
    if version is not None and version != year.decision_version:
        raise _stale(year)
    chosen = {a.pk for a in awards}
    current = list(
        Award.objects.select_for_update(of=("self",))
        .filter(year=year, kind__in=DECIDABLE_KINDS)
        .select_related("member", "party_group", "village")
    )
    if chosen - {a.pk for a in current}:
        raise ValidationError(_("Only this year's nominations can be decided."), code="target")
    counts: dict[str, int] = defaultdict(int)
    for a in current:
        if a.pk in chosen:
            counts[a.kind] += 1
    _check_quotas(year, counts)
    if publicity is not None:
        starts, ends = publicity
        if starts and ends and ends < starts:
            raise ValidationError(_("The public notice cannot end before it starts."), code="publicity")
    review = decision_review(year, current, chosen)
    if review.refused:
        raise ValidationError({k: ValidationError(v, code="same_person") for k, v in review.refused.items()})
    warnings = list(review.warnings)
    given = {pk: (text or "").strip() for pk, text in (reasons or {}).items()}
    missing = [pk for pk in review.needs_reason if not given.get(pk)]
    if missing:  # the rule lives here, not in the page: every caller gives the reason or nothing is decided
        raise ValidationError({f"reason_{pk}": ValidationError(review.messages[pk], code="reason") for pk in missing})
    before = decision_snapshot(year)
    now, by = timezone.now(), user_or_none(acting_user)
    for a in current:
        fields = ["status", "amount", "decided_by", "decided_at"]
        reason = given.get(a.pk) if a.pk in chosen else None
        if reason is not None and reason != a.decision_reason:
            a.decision_reason = reason
            fields.append("decision_reason")
        if a.pk in chosen:
            amount = amount_of(year, a.kind)
            if a.status != Status.DECIDED:
                a.status, a.amount, a.decided_by, a.decided_at = Status.DECIDED, amount, by, now
            elif a.amount != amount:
                a.amount = amount
            elif "decision_reason" not in fields:
                continue
        elif a.status == Status.DECIDED:
            a.status, a.amount, a.decided_by, a.decided_at = Status.NOMINATED, Decimal("0"), None, None
        else:
            continue
        stamp(a, acting_user).save(update_fields=fields)
    year_fields = ["decision_version"]
    if publicity is not None and publicity != (year.publicity_starts_on, year.publicity_ends_on):
        year.publicity_starts_on, year.publicity_ends_on = publicity
        year_fields += ["publicity_starts_on", "publicity_ends_on"]
    year.decision_version += 1
    stamp(year, acting_user).save(update_fields=year_fields)
    DecisionRecord.objects.create(
        year=year,
        action=DecisionRecord.Action.DECISION,
        before=before,
        after=decision_snapshot(year),
        warnings=warnings,
        decided_by=by,
    )
    return year


# --- the streak rule ------------------------------------------------------------------------------------------------


@dataclass
class StreakOutcome:
    """What the streak rule gives one leader when the year is decided."""

    member_id: int
    village_id: int
    years: list[int]  # the decided years of the streak, oldest first
    bonus: bool
    reserve: bool
    member: PartyMember | None = field(default=None)

    @property
    def reason(self) -> str:
        return streak_reason(self.years)


def streak_outcomes(year: AppraisalYear, *, assume_undecided: frozenset[int] = frozenset()) -> list[StreakOutcome]:
    """Who the streak rule rewards when `year` is decided (6 queries), counting `year` as decided.

    The rule is `rules.streak_of`: a leader named excellent leader (decided) in `streak_years` or more consecutive
    calendar years, each decided by the township, gets the bonus — once per person ever, or, when the year allows it
    again, once per streak — and an entry on the village's three-post reserve list, once per streak. A year not yet
    decided ends the run (the streak waits for it); the run looks both ways, so deciding a year that was missing
    between decided ones completes the streak there.

    The year's own bonuses and reserve entries (what its decision made) do not count as earlier ones, so a decided
    year can be worked out again; `assume_undecided` are years to treat as not decided (what reopening one would do).
    """
    decided = (Q(state=State.DECIDED) & ~Q(year__in=assume_undecided)) | Q(pk=year.pk)
    leaders = dict(
        Award.objects.filter(year=year, kind=Kind.EXCELLENT_LEADER, status=Status.DECIDED).values_list(
            "member_id", "village_id"
        )
    )
    if not leaders:
        return []
    sequence = list(AppraisalYear.objects.filter(decided, township_id=year.township_id).values_list("year", flat=True))
    named: dict[int, set[int]] = defaultdict(set)
    for member_id, y in Award.objects.filter(
        kind=Kind.EXCELLENT_LEADER,
        status=Status.DECIDED,
        member_id__in=list(leaders),
        year__in=AppraisalYear.objects.filter(decided, township_id=year.township_id),
    ).values_list("member_id", "year__year"):
        named[member_id].add(y)
    bonuses: dict[int, set[int]] = defaultdict(set)
    for member_id, y in (
        Award.objects.filter(kind=Kind.STREAK_BONUS, member_id__in=list(leaders))
        .exclude(year=year)
        .values_list("member_id", "year__year")
    ):
        bonuses[member_id].add(y)
    reserved: dict[int, set[int]] = defaultdict(set)
    for member_id, y in (
        ReserveCandidate.objects.filter(list=ReserveList.VILLAGE_THREE_POSTS, member_id__in=list(leaders))
        .exclude(year=year)
        .values_list("member_id", "year__year")
    ):
        reserved[member_id].add(y)
    out = []
    for member_id, village_id in leaders.items():
        streak = streak_of(
            year=year.year,
            decided_years=sequence,
            named_years=named[member_id],
            bonus_years=bonuses[member_id],
            reserve_years=reserved[member_id],
            streak_years=year.streak_years,
            repeatable=year.streak_bonus_repeatable,
        )
        if streak is not None:
            out.append(StreakOutcome(member_id, village_id, streak.years, streak.bonus, streak.reserve))
    members = PartyMember.objects.in_bulk([o.member_id for o in out])
    for o in out:
        o.member = members[o.member_id]
    return sorted(out, key=lambda o: o.member.name)


@dataclass
class YearDecision:
    year: AppraisalYear
    bonuses: list[Award]
    reserve: list[ReserveCandidate]


@transaction.atomic
def year_decide(*, year: AppraisalYear, acting_user) -> YearDecision:
    """Decide and lock the year: the decided awards take the year's amounts, the streak rule gives its bonuses and
    reserve entries, and from now on nothing of the year changes until it is reopened with a reason."""
    _require_township(acting_user, year)
    year = _lock_year(year)
    ensure_not_locked(year)
    _require_state(year, State.NOMINATING)
    decided = list(Award.objects.select_for_update().filter(year=year, kind__in=DECIDABLE_KINDS, status=Status.DECIDED))
    counts: dict[str, int] = defaultdict(int)
    for a in decided:
        counts[a.kind] += 1
    _check_quotas(year, counts)  # the quotas may have been lowered since the awards were decided
    for a in decided:
        if a.amount != amount_of(year, a.kind):
            a.amount = amount_of(year, a.kind)
            stamp(a, acting_user).save(update_fields=["amount"])
    now, by = timezone.now(), user_or_none(acting_user)
    year.state, year.decided_at, year.decided_by = State.DECIDED, now, by
    year.depends_on = None  # its streaks are worked out afresh below
    year.decision_version += 1
    stamp(year, acting_user).save(update_fields=["state", "decided_at", "decided_by", "depends_on", "decision_version"])
    bonuses, reserve = [], []
    for o in streak_outcomes(year):
        if o.bonus:
            bonus = Award(
                year=year,
                kind=Kind.STREAK_BONUS,
                status=Status.DECIDED,
                village_id=o.village_id,
                member_id=o.member_id,
                amount=year.streak_bonus_amount,
                reason=o.reason,
                decided_by=by,
                decided_at=now,
            )
            stamp(bonus, acting_user).save()
            bonuses.append(bonus)
        if o.reserve:
            entry = ReserveCandidate(
                year=year,
                list=ReserveList.VILLAGE_THREE_POSTS,
                member_id=o.member_id,
                village_id=o.village_id,
                reason=o.reason,
                added_by=by,
            )
            stamp(entry, acting_user).save()
            reserve.append(entry)
    awarded = len(decided) + len(bonuses)
    record(Action.YEAR_DECIDED, user=by, obj=year, rows=awarded, bonuses=len(bonuses), reserve=len(reserve))
    return YearDecision(year, bonuses, reserve)


def made_by_decision(year: AppraisalYear) -> tuple[QuerySet[Award], QuerySet[ReserveCandidate]]:
    """The streak bonuses and village reserve entries the year's decision created (what reopening removes)."""
    bonuses = Award.objects.filter(year=year, kind=Kind.STREAK_BONUS)
    reserve = ReserveCandidate.objects.filter(year=year, list=ReserveList.VILLAGE_THREE_POSTS)
    if year.decided_at is not None:
        reserve = reserve.filter(added_at__gte=year.decided_at)
    return bonuses, reserve


def later_decided_years(year: AppraisalYear) -> list[int]:
    """Decided years after this one: their streaks counted this year's result."""
    return list(
        AppraisalYear.objects.filter(township_id=year.township_id, year__gt=year.year, state=State.DECIDED)
        .order_by("year")
        .values_list("year", flat=True)
    )


@transaction.atomic
def year_reopen(*, year: AppraisalYear, reason: str, acting_user) -> YearReopening:
    """Reopen a decided year, with the reason kept on record. The streak bonuses and reserve entries its decision
    created are removed, so deciding it again recomputes them exactly; the decided awards stay decided."""
    _require_township(acting_user, year)
    year = _lock_year(year)
    _require_state(year, State.DECIDED)
    reason = _required_reason(reason)
    if user_or_none(acting_user) is None:
        raise PermissionDenied  # a reopening names the person who asked for it
    bonuses, reserve = made_by_decision(year)
    for row in [*bonuses, *reserve]:
        stamp(row, acting_user).delete()
    reopening = YearReopening.objects.create(year=year, reason=reason, reopened_by=acting_user)
    year.state, year.decided_at, year.decided_by = State.NOMINATING, None, None
    year.decision_version += 1
    stamp(year, acting_user).save(update_fields=["state", "decided_at", "decided_by", "decision_version"])
    later = list(
        AppraisalYear.objects.select_for_update().filter(
            township_id=year.township_id, year__gt=year.year, state=State.DECIDED
        )
    )
    for dependent in later:  # their streaks counted this year: they wait to be re-decided, nothing changes silently
        dependent.depends_on = reopening
        stamp(dependent, acting_user).save(update_fields=["depends_on"])
    record(
        Action.YEAR_REOPENED,
        user=acting_user,
        obj=year,
        reason=reason,
        removed=len(bonuses) + len(reserve),
        dependent_years=[d.year for d in later],
    )
    return reopening


# --- later years after a reopening ----------------------------------------------------------------------------------


@dataclass
class DependentChanges:
    """What re-deciding a later decided year would change in its streak results, against what it has now."""

    year: AppraisalYear
    bonuses_removed: list[Award]
    bonuses_added: list[StreakOutcome]
    reserve_removed: list[ReserveCandidate]
    reserve_added: list[StreakOutcome]
    recommendations_at_risk: list[ReserveCandidate]

    @property
    def changed(self) -> bool:
        return bool(
            self.bonuses_removed
            or self.bonuses_added
            or self.reserve_removed
            or self.reserve_added
            or self.recommendations_at_risk
        )

    @property
    def money_removed(self) -> Decimal:
        return sum((a.amount for a in self.bonuses_removed), Decimal("0"))


def dependent_changes(
    year: AppraisalYear, *, assume_undecided: frozenset[int] = frozenset(), without_reserve_of: int | None = None
) -> DependentChanges:
    """What the streak rule gives the decided `year` now, against the bonuses, village reserve entries and county
    recommendations it has: the rows that would go and the ones that would come.

    `assume_undecided` treats those years as not decided and `without_reserve_of` ignores the village reserve entries
    of that appraisal year (its decision made them): what reopening an earlier year puts at risk.
    """
    due = streak_outcomes(year, assume_undecided=assume_undecided)
    bonus_due = {o.member_id: o for o in due if o.bonus}
    reserve_due = {o.member_id: o for o in due if o.reserve}
    made_bonuses, made_reserve = made_by_decision(year)
    bonuses = list(made_bonuses.select_related("member", "village"))
    reserve = list(made_reserve.select_related("member", "village"))
    bonuses_removed = [a for a in bonuses if a.member_id not in bonus_due]
    reserve_removed = [e for e in reserve if e.member_id not in reserve_due]
    has_bonus = {a.member_id for a in bonuses}
    has_reserve = {e.member_id for e in reserve}
    listed = ReserveCandidate.objects.filter(
        list=ReserveList.VILLAGE_THREE_POSTS, year__township_id=year.township_id
    ).exclude(pk__in=[e.pk for e in reserve_removed])
    if without_reserve_of is not None:
        listed = listed.exclude(year_id=without_reserve_of)
    still_listed = set(listed.values_list("member_id", flat=True)) | set(reserve_due)
    named = set(
        Award.objects.filter(year=year, kind__in=MEMBER_KINDS, status=Status.DECIDED).values_list(
            "member_id", flat=True
        )
    )
    at_risk = [
        e
        for e in ReserveCandidate.objects.filter(year=year, list=ReserveList.COUNTY_RECOMMENDED).select_related(
            "member", "village"
        )
        if e.member_id not in named and e.member_id not in still_listed
    ]
    return DependentChanges(
        year=year,
        bonuses_removed=bonuses_removed,
        bonuses_added=[o for m, o in bonus_due.items() if m not in has_bonus],
        reserve_removed=reserve_removed,
        reserve_added=[o for m, o in reserve_due.items() if m not in has_reserve],
        recommendations_at_risk=at_risk,
    )


def reopen_preview(year: AppraisalYear) -> list[DependentChanges]:
    """Before reopening a decided year: for each later decided year of the township, the streak results that would
    change if this year's titles were withdrawn (the year counted as not decided)."""
    return [
        dependent_changes(later, assume_undecided=frozenset({year.year}), without_reserve_of=year.pk)
        for later in AppraisalYear.objects.filter(
            township_id=year.township_id, year__gt=year.year, state=State.DECIDED
        ).order_by("year")
    ]


def decision_snapshot(year: AppraisalYear) -> list[dict]:
    """The year's decided awards, streak bonuses and reserve entries as plain values, for a decision's before/after."""
    rows = []
    awards = Award.objects.filter(year=year, status=Status.DECIDED).select_related("member", "party_group", "village")
    for a in awards.order_by("kind", "village__name", "pk"):
        rows.append(
            {
                "what": str(Kind(a.kind).label),
                "village": a.village.name,
                "who": a.member.name if a.member_id else a.party_group.name,
                "amount": f"{a.amount:.2f}",
                "reason": a.decision_reason,
            }
        )
    entries = ReserveCandidate.objects.filter(year=year).select_related("member", "village")
    for e in entries.order_by("list", "village__name", "pk"):
        rows.append(
            {"what": str(ReserveList(e.list).label), "village": e.village.name, "who": e.member.name, "amount": ""}
        )
    return rows


@transaction.atomic
def year_redecide_dependent(*, year: AppraisalYear, reason: str, acting_user) -> DecisionRecord:
    """Re-decide a later decided year after an earlier one was reopened and decided again: its streak bonuses,
    village reserve entries and county recommendations follow the streak rule on the records as they now are, with
    the reason and every row before and after kept (`DecisionRecord`)."""
    _require_township(acting_user, year)
    year = _lock_year(year)
    _require_state(year, State.DECIDED)
    reason = _required_reason(reason)
    if user_or_none(acting_user) is None:
        raise PermissionDenied  # a re-decision names the person who made it, as a reopening does
    reopening = year.depends_on
    if reopening is None:
        raise ValidationError(
            _("The %(y)d decision does not wait on a reopened year.") % {"y": year.year}, code="state"
        )
    earlier = AppraisalYear.objects.select_for_update().get(pk=reopening.year_id)
    if earlier.state != State.DECIDED:
        raise ValidationError(
            _("Decide %(e)d again first: %(y)d's streaks depend on its result.") % {"e": earlier.year, "y": year.year},
            code="waiting",
        )
    before = decision_snapshot(year)
    changes = dependent_changes(year)
    now, by = timezone.now(), user_or_none(acting_user)
    for row in [*changes.bonuses_removed, *changes.reserve_removed, *changes.recommendations_at_risk]:
        stamp(row, acting_user).delete()
    for o in changes.bonuses_added:
        stamp(
            Award(
                year=year, kind=Kind.STREAK_BONUS, status=Status.DECIDED, village_id=o.village_id,
                member_id=o.member_id, amount=year.streak_bonus_amount, reason=o.reason, decided_by=by, decided_at=now,
            ),
            acting_user,
        ).save()  # fmt: skip
    for o in changes.reserve_added:
        stamp(
            ReserveCandidate(
                year=year, list=ReserveList.VILLAGE_THREE_POSTS, member_id=o.member_id, village_id=o.village_id,
                reason=o.reason, added_by=by,
            ),
            acting_user,
        ).save()  # fmt: skip
    year.depends_on = None
    year.decision_version += 1
    stamp(year, acting_user).save(update_fields=["depends_on", "decision_version"])
    entry = DecisionRecord.objects.create(
        year=year,
        action=DecisionRecord.Action.REVIEW,
        reason=reason,
        depends_on=reopening,
        before=before,
        after=decision_snapshot(year),
        decided_by=by,
    )
    record(Action.YEAR_DECIDED, user=by, obj=year, reason=reason, after_reopening_of=earlier.year)
    return entry


# --- recommendations to the county ----------------------------------------------------------------------------------


def recommendable_members(year: AppraisalYear, villages=None) -> QuerySet[PartyMember]:
    """Members the township may recommend to the county for this year: decided excellent leaders and members of the
    year, and members on the township's village three-post reserve list; not yet recommended this year."""
    members = PartyMember.objects.filter(village__township_id=year.township_id).filter(
        Q(pk__in=Award.objects.filter(year=year, kind__in=MEMBER_KINDS, status=Status.DECIDED).values("member_id"))
        | Q(
            pk__in=ReserveCandidate.objects.filter(
                list=ReserveList.VILLAGE_THREE_POSTS, year__township_id=year.township_id
            ).values("member_id")
        )
    )
    if villages is not None:
        members = members.filter(village__in=villages)
    already = ReserveCandidate.objects.filter(year=year, list=ReserveList.COUNTY_RECOMMENDED).values("member_id")
    return members.exclude(pk__in=already).select_related("village").order_by("village__name", "name")


@transaction.atomic
def recommend_to_county(*, year: AppraisalYear, member: PartyMember, reason: str, acting_user) -> ReserveCandidate:
    """The township recommends an outstanding leader or member to the county as a reserve township cadre."""
    _require_township(acting_user, year)
    year = _lock_year(year)
    ensure_not_locked(year)
    reason = _required_reason(reason)
    if member.village.township_id != year.township_id:
        raise ValidationError(_("%(m)s is not a member of this township.") % {"m": member.name}, code="not_eligible")
    if ReserveCandidate.objects.filter(year=year, list=ReserveList.COUNTY_RECOMMENDED, member=member).exists():
        raise ValidationError(
            _("%(m)s is already recommended to the county for %(y)d.") % {"m": member.name, "y": year.year},
            code="duplicate",
        )
    if not recommendable_members(year).filter(pk=member.pk).exists():
        raise ValidationError(
            _(
                "Only this year's decided excellent group leaders and excellent members, or people on the village "
                "reserve list, can be recommended: %(m)s is neither."
            )
            % {"m": member.name},
            code="not_eligible",
        )
    entry = ReserveCandidate(
        year=year,
        list=ReserveList.COUNTY_RECOMMENDED,
        member=member,
        village=member.village,
        reason=reason,
        added_by=user_or_none(acting_user),
    )
    stamp(entry, acting_user).save()
    return entry


@transaction.atomic
def recommendation_withdraw(*, entry: ReserveCandidate, acting_user) -> None:
    """The township takes back a recommendation to the county (not on a locked year)."""
    _require_township(acting_user, entry.year)
    year = _lock_year(entry.year)
    ensure_not_locked(year)
    if entry.list != ReserveList.COUNTY_RECOMMENDED:
        raise ValidationError(_("Entries of the village reserve list follow from the decision."), code="kind")
    stamp(entry, acting_user).delete()


# --- summaries for the pages ----------------------------------------------------------------------------------------


@dataclass
class KindSummary:
    kind: str
    label: str
    quota: int | None
    amount: Decimal
    nominated: int = 0
    decided: int = 0
    money: Decimal = Decimal("0")

    @property
    def over_quota(self) -> bool:
        return self.quota is not None and self.decided > self.quota


def year_summary(year: AppraisalYear, villages=None) -> list[KindSummary]:
    """Per kind: the quota, the amount, how many nominated and decided, and the money decided (one query)."""
    rows = {
        k: KindSummary(k, str(Kind(k).label), quota_of(year, k) if k in QUOTA_FIELDS else None, amount_of(year, k))
        for k in Kind.values
    }
    awards = Award.objects.filter(year=year)
    if villages is not None:
        awards = awards.filter(village__in=villages)
    for kind, status, n, money in awards.values_list("kind", "status").annotate(n=Count("pk"), s=Sum("amount")):
        if status == Status.DECIDED:
            rows[kind].decided += n
            rows[kind].money += money or 0
        else:
            rows[kind].nominated += n
    return list(rows.values())
