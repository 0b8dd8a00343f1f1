"""Demo year-end appraisals of 金溪乡: 2023, 2024 and 2025 decided, 2026 (the current year) open.

Each past year runs as the township runs it, through the real services: the year opened with its rules and rubric,
the groups' quarterly scores, spot checks (one poor, with its rectification notice and follow-up), the 民主评议
grades within the one-third limit, the branches' year-end appraisal, nominations, the decision within the quotas with
its 公示 dates, and the lock. 谢明德 (罗紫村 5、6社党小组) is named excellent leader all three years, so the streak
bonus and his place on the village reserve list appear by themselves when 2025 is decided; 唐加惠 (3、4社) is named in
2023 and 2025 but not 2024 (a break, no bonus) and is recommended to the county; 祝龙贵 (1、2社) in 2024 and 2025.

Deterministic (fixed seeds) and idempotent: nothing is built when 金溪乡 already has its 2023 appraisal.
"""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from appraisal.awards.services import (
    advanced_group_candidates,
    award_decide,
    award_nominate,
    excellent_leader_candidates,
    excellent_member_candidates,
    groups_of_year,
    recommend_to_county,
    year_decide,
    year_start_nominating,
)
from appraisal.models import AppraisalYear, Award, GroupScore, ReserveCandidate, SpotCheck
from appraisal.rules import QUARTERS
from appraisal.scoring import services as scoring
from core import clock
from groups.models import PartyGroup
from members.models import AnnualReview, PartyMember
from seeding.demo.build import COUNTY, SURVEYED
from township.models import Assignment, Township

DECIDED_YEARS = (2023, 2024, 2025)
OPEN_YEAR = 2026
ISSUING_UNIT = "中共金溪乡委员会"
CHECKED_BY = "乡党委组织委员王晓梅、乡纪委副书记赵学林"
HALF = Decimal("0.5")

# The survey's leaders, by their group in 罗紫村, and how their groups do each year (share of the rubric's maximum).
XIE, TANG, ZHU = "谢明德", "唐加惠", "祝龙贵"
NAMED_GROUPS = {"5、6社党小组": XIE, "3、4社党小组": TANG, "1、2社党小组": ZHU}
NAMED_QUALITY = {
    XIE: {2023: 0.96, 2024: 0.95, 2025: 0.97, 2026: 0.94},
    TANG: {2023: 0.93, 2024: 0.74, 2025: 0.94, 2026: 0.9},
    ZHU: {2023: 0.79, 2024: 0.92, 2025: 0.93, 2026: 0.88},
}
# Who the township names excellent leader whatever the ranking, and who it does not.
NAMED_LEADERS = {2023: [XIE, TANG], 2024: [XIE, ZHU], 2025: [XIE, TANG, ZHU]}
NOT_NAMED = {2023: {ZHU}, 2024: {TANG}, 2025: set()}
RECOMMENDED = (
    2025,
    TANG,
    "双带能手：撮合返乡青年祝高友投资20余万元在嘉陵江边建碎石厂，解决本社8名剩余劳动力就业；"
    "2023、2025年度优秀党小组长，群众公认，建议列为乡镇领导后备干部。",
)

SPOT_FINDINGS = {
    SpotCheck.Rating.GOOD: [
        "党小组会记录完整，每月按时召开；走访台账清楚，群众反映的问题件件有回音。",
        "入户走访到位，群众对党小组长评价好；集体经费收支有决议、有公示。",
        "月报按时报送，党情民意登记规范，调解纠纷有记录、有回访。",
    ],
    SpotCheck.Rating.FAIR: [
        "党小组会按时召开，但会议记录过于简单；走访户数偏少。",
        "工作基本正常，部分党员参加活动不经常，需加强教育管理。",
    ],
}
POOR = {
    2024: (
        "静阳村",
        "连续两个月未召开党小组会，会议记录缺失；群众反映的灌溉用水问题未及时向支部报告。",
        "一、补开党小组会，补记会议记录；二、逐户回访反映灌溉用水问题的群众并向支部书面报告；"
        "三、建立每月党小组会制度并报乡党委备案。",
        "复查：已补开党小组会2次，会议记录齐全；灌溉用水问题已协调解决，群众满意。",
    ),
    2025: (
        "白鹤村",
        "集体经费支出2笔未经村民小组会议决议，也未公示。",
        "召开村民小组会议对2笔支出进行追认并公示，今后超过限额的支出一律先议后支。",
        "复查：已召开村民小组会议追认并张榜公示，台账已规范。",
    ),
}


def _q(value: Decimal) -> Decimal:
    return (value / HALF).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * HALF


def _township_user(township: Township, actor):
    if actor is not None:
        return actor
    a = Assignment.objects.filter(role=Assignment.Role.TOWNSHIP_STAFF, township=township).select_related("user")
    first = a.order_by("pk").first()
    return first.user if first else None


def _secretaries(township: Township) -> dict:
    rows = Assignment.objects.filter(role=Assignment.Role.BRANCH_SECRETARY, village__township=township)
    return {a.village_id: a.user for a in rows.select_related("user")}


def _leaders(township: Township) -> dict[str, PartyMember]:
    """The survey's three 罗紫村 leaders, by name."""
    return {
        m.name: m
        for m in PartyMember.objects.filter(
            village__township=township, village__name="罗紫村", name__in=[XIE, TANG, ZHU]
        )
    }


def _quality(rng: random.Random, group: PartyGroup, y: int) -> float:
    if group.village.name == "罗紫村" and group.name in NAMED_GROUPS:
        return NAMED_QUALITY[NAMED_GROUPS[group.name]][y]
    return rng.uniform(0.62, 0.91)


def _enter_scores(rng, year: AppraisalYear, groups: list[PartyGroup], user, quarters=QUARTERS) -> dict[int, float]:
    """Each group's points on every rubric item and quarter (bulk, with history), the evidence named."""
    items = list(year.rubric.all())
    rows, quality = [], {}
    for g in groups:
        quality[g.pk] = base = _quality(rng, g, year.year)
        for quarter in range(1, quarters + 1):
            for item in items:
                share = min(1.0, max(0.0, base + rng.uniform(-0.05, 0.05)))
                rows.append(
                    GroupScore(
                        year=year,
                        party_group=g,
                        quarter=quarter,
                        item=item,
                        points=min(item.max_points, _q(item.max_points * Decimal(str(round(share, 3))))),
                        evidence=f"{year.year}年第{quarter}季度考核：{item.evidence or item.name}，考核组核定",
                        entered_by=user,
                    )
                )
    bulk_create_with_history(rows, GroupScore, default_user=user)
    return quality


def _spot_checks(rng, year: AppraisalYear, user, *, count: int = 6) -> None:
    """A round of spot checks on groups drawn at random; the year's poor one issues a notice, followed up."""
    drawn = scoring.spot_check_draw(year=year, count=count, seed=year.year)
    poor = POOR.get(year.year)
    if poor:
        poor_group = (
            PartyGroup.objects.filter(village__township_id=year.township_id, village__name=poor[0])
            .order_by("name")
            .first()
        )
        drawn = [poor_group] + [g for g in drawn if g.pk != poor_group.pk][: count - 1]
    for n, group in enumerate(drawn):
        day = datetime.date(year.year, 4 + n, 8 + n)
        named = group.village.name == "罗紫村" and group.name in NAMED_GROUPS
        if poor and n == 0:
            check = scoring.spot_check_record(
                year=year, party_group=group, checked_on=day, checked_by=CHECKED_BY, findings=poor[1],
                rating=SpotCheck.Rating.POOR, points=Decimal("55"), by_visit=True, by_asking_villagers=True,
                by_reading_records=True, rectification=poor[2], rectify_by=day + datetime.timedelta(days=30),
                acting_user=user,
            )  # fmt: skip
            scoring.spot_check_follow_up(
                check=check, rectified_on=day + datetime.timedelta(days=24), follow_up=poor[3], acting_user=user
            )
            continue
        rating = SpotCheck.Rating.GOOD if named or rng.random() < 0.65 else SpotCheck.Rating.FAIR
        points = Decimal(rng.randint(90, 98) if rating == SpotCheck.Rating.GOOD else rng.randint(72, 84))
        scoring.spot_check_record(
            year=year, party_group=group, checked_on=day, checked_by=CHECKED_BY,
            findings=rng.choice(SPOT_FINDINGS[rating]), rating=rating, points=points, by_visit=True,
            by_asking_villagers=rng.random() < 0.7, by_reading_records=rng.random() < 0.8, acting_user=user,
        )  # fmt: skip


def _grades(rng, year: AppraisalYear, township: Township, user, secretaries: dict, leaders: dict) -> None:
    """Each branch's 民主评议: about a quarter 优秀 (the limit is one third), a few 基本合格, one 不合格 in 2024."""
    for village in township.villages.order_by("name"):
        members = list(scoring.members_in_year(village, year.year).order_by("pk"))
        allowed = scoring.excellent_allowed(len(members), year.excellent_share)
        n_excellent = min(allowed, max(1, allowed - rng.randint(1, 3)))
        favoured = [m for m in members if m.name in leaders or m.is_old_member or m.is_shuangdai or m.is_former_cadre]
        others = [m for m in members if m not in favoured]
        rng.shuffle(favoured)
        rng.shuffle(others)
        excellent = (favoured + others)[:n_excellent]
        grades = {m.pk: AnnualReview.Grade.QUALIFIED for m in members}
        for m in excellent:
            grades[m.pk] = AnnualReview.Grade.EXCELLENT
        rest = [m for m in members if m not in excellent and m.name not in leaders]
        if rest and rng.random() < 0.5:
            grades[rng.choice(rest).pk] = AnnualReview.Grade.BASIC
        if year.year == 2024 and village.name == "石门村" and rest:
            grades[rest[-1].pk] = AnnualReview.Grade.UNQUALIFIED
        scoring.reviews_save(village=village, year=year, grades=grades, acting_user=secretaries.get(village.pk, user))


def _branch_appraisals(rng, year: AppraisalYear, township: Township, user) -> None:
    for village in township.villages.order_by("name"):
        points = Decimal(rng.randint(780, 960)) / 10
        scoring.branch_appraisal_enter(
            year=year, village=village, township_points=points, notes="乡党委年终考核", acting_user=user
        )


def _nominator(village, secretaries: dict, user):
    return secretaries.get(village.pk, user)


def _awards(year: AppraisalYear, user, secretaries: dict, leaders: dict, named_before: dict[int, set[int]]) -> None:
    """Nominations and the township's decision: the five best groups, the leaders (the survey's named as the story
    needs, the rest from the ranking without making a second streak), and the best-ranked 优秀 members."""
    y = year.year
    chosen = []
    for c in advanced_group_candidates(year)[: year.advanced_group_quota]:
        chosen.append(
            award_nominate(
                year=year, kind=Award.Kind.ADVANCED_GROUP, party_group=c.party_group,
                reason=f"{y}年度考核得分{c.score}分，全乡第{c.rank}名；党小组会按月召开，走访群众、调处纠纷成效明显。",
                acting_user=_nominator(c.village, secretaries, user),
            )
        )  # fmt: skip
    ranked = excellent_leader_candidates(year)
    named = [leaders[name] for name in NAMED_LEADERS[y]]
    skip = {leaders[name].pk for name in NOT_NAMED[y]} | {m.pk for m in named}
    streaking = named_before.get(y - 1, set()) & named_before.get(y - 2, set())
    picks = list(named)
    for c in ranked:
        if len(picks) >= year.excellent_leader_quota:
            break
        if c.member.pk not in skip and c.member.pk not in streaking:
            picks.append(c.member)
    by_member = {c.member.pk: c for c in ranked}
    for m in picks:
        c = by_member.get(m.pk)
        score = f"，所在党小组{y}年度考核得分{c.score}分" if c else ""
        chosen.append(
            award_nominate(
                year=year, kind=Award.Kind.EXCELLENT_LEADER, member=m,
                reason=f"认真履行党小组长职责，带领党员联系群众、办实事{score}。",
                acting_user=_nominator(m.village, secretaries, user),
            )
        )  # fmt: skip
    named_before[y] = {m.pk for m in picks}
    members = [c for c in excellent_member_candidates(year) if c.member.pk not in named_before[y]]
    for c in members[: year.excellent_member_quota]:
        chosen.append(
            award_nominate(
                year=year, kind=Award.Kind.EXCELLENT_MEMBER, member=c.member,
                reason=f"{y}年度民主评议优秀；积极参加党小组活动，带头走访群众、宣传政策。",
                acting_user=_nominator(c.village, secretaries, user),
            )
        )  # fmt: skip
    award_decide(
        year=year,
        awards=chosen,
        acting_user=user,
        publicity=(datetime.date(y + 1, 1, 5), datetime.date(y + 1, 1, 11)),
    )


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _date_the_year(year: AppraisalYear) -> None:
    """Give the year's steps the dates of the township's calendar rather than the moment the demo was built:
    nominations in December, the decision on 4 January, the 公示 until 11 January, the lock on 15 January."""
    y = year.year
    nominated, decided = _at(datetime.date(y, 12, 20), 9), _at(datetime.date(y + 1, 1, 4), 15)
    locked = _at(datetime.date(y + 1, 1, 15), 10)
    Award.objects.filter(year=year, nominated_at__isnull=False).update(nominated_at=nominated)
    Award.objects.filter(year=year, status=Award.Status.DECIDED).exclude(kind=Award.Kind.STREAK_BONUS).update(
        decided_at=decided
    )
    Award.objects.filter(year=year, kind=Award.Kind.STREAK_BONUS).update(decided_at=locked)
    AppraisalYear.objects.filter(pk=year.pk).update(decided_at=locked)
    reserve = ReserveCandidate.objects.filter(year=year)
    reserve.filter(list=ReserveCandidate.List.VILLAGE_THREE_POSTS).update(added_at=locked)  # made by the lock
    reserve.filter(list=ReserveCandidate.List.COUNTY_RECOMMENDED).update(added_at=_at(datetime.date(y + 1, 1, 12), 9))


def _open_year(township: Township, y: int, user) -> AppraisalYear:
    year = scoring.appraisal_year_open(township=township, year=y, acting_user=user, issuing_unit=ISSUING_UNIT)
    year.issued_on = datetime.date(y + 1, 1, 15) if y < OPEN_YEAR else None
    year.save(update_fields=["issued_on"])
    return year


@transaction.atomic
def build(actor=None) -> bool:
    """Build the appraisal years of 金溪乡 unless they exist; returns whether anything was built."""
    township = Township.objects.filter(county__name=COUNTY, name=SURVEYED).first()
    if township is None or AppraisalYear.objects.filter(township=township, year=DECIDED_YEARS[0]).exists():
        return False
    user = _township_user(township, actor)
    secretaries = _secretaries(township)
    leaders = _leaders(township)
    rng = random.Random(2023)  # noqa: S311 - demo data
    named_before: dict[int, set[int]] = {}
    for y in DECIDED_YEARS:
        year = _open_year(township, y, user)
        groups = list(groups_of_year(year).select_related("village").order_by("pk"))
        _enter_scores(rng, year, groups, user)
        _spot_checks(rng, year, user)
        _grades(rng, year, township, user, secretaries, leaders)
        _branch_appraisals(rng, year, township, user)
        year_start_nominating(year=year, acting_user=user)
        _awards(year, user, secretaries, leaders, named_before)
        if y == RECOMMENDED[0]:
            recommend_to_county(year=year, member=leaders[RECOMMENDED[1]], reason=RECOMMENDED[2], acting_user=user)
        year_decide(year=year, acting_user=user)
        _date_the_year(year)
    if not AppraisalYear.objects.filter(township=township, year=OPEN_YEAR).exists():
        _build_open_year(rng, township, user)
    return True


def _build_open_year(rng, township: Township, user) -> None:
    """The current year, open: the first three quarters scored and one spot check with a notice still pending."""
    year = _open_year(township, OPEN_YEAR, user)
    groups = list(groups_of_year(year).select_related("village").order_by("pk"))
    _enter_scores(rng, year, groups, user, quarters=3)
    day = datetime.date(OPEN_YEAR, 10, 20)
    if day <= clock.today():
        group = next(g for g in groups if g.village.name == "柏林村")
        scoring.spot_check_record(
            year=year, party_group=group, checked_on=day, checked_by=CHECKED_BY,
            findings="第三季度月报两次逾期报送，党情民意登记不全。", rating=SpotCheck.Rating.FAIR,
            points=Decimal("70"), by_visit=True, by_reading_records=True,
            rectification="按时报送月报，补登第三季度党情民意并逐件答复。",
            rectify_by=datetime.date(OPEN_YEAR, 12, 20), acting_user=user,
        )  # fmt: skip
