"""Demo standing for 金溪乡, the surveyed township, through the real services: every probation's 入党 and 转正 in the
history except two left overdue; one member transferred out and one deceased in the past year; a dozen members
working away in 成都, 广州 and 新疆 with the branch's contact log (some suggested for transfer, some 失联); and a
不合格 grade under 限期改正. Running it again changes nothing.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.db.models import Exists, OuterRef

from core import clock, periods
from groups.models import GroupPost
from groups.standing.services import handling_record, standing_record
from members.away.models import AwaySpell
from members.away.services import away_record, contact_record
from members.models import AnnualReview, PartyMember
from members.standing.models import StandingChange
from members.standing.selectors import probation_due
from township.models import Township

COUNTY = "嘉陵县"
SURVEYED = "金溪乡"
OVERDUE = 2
Kind = StandingChange.Kind
DAY = datetime.timedelta(days=1)

# (province, city, workplace, fixed workplace, days away, days since last contact or None for never)
AWAY = [
    ("四川省", "成都市", "武侯区某建筑工地", False, 120, 20),
    ("四川省", "成都市", "双流区某物流园", True, 420, 35),
    ("四川省", "成都市", "成华区某餐饮店", True, 260, 60),
    ("四川省", "成都市", "郫都区某蔬菜基地", False, 90, 10),
    ("广东省", "广州市", "白云区某电子厂", True, 700, 15),
    ("广东省", "广州市", "番禺区某服装厂", True, 300, 230),
    ("广东省", "广州市", "天河区某快递站", False, 150, None),
    ("广东省", "广州市", "花都区某汽配厂", True, 210, 40),
    ("新疆维吾尔自治区", "昌吉回族自治州", "呼图壁县某棉花农场（季节性采摘）", False, 75, 12),
    ("新疆维吾尔自治区", "乌鲁木齐市", "某建筑公司项目部", True, 380, 200),
    ("新疆维吾尔自治区", "乌鲁木齐市", "米东区某工业园", True, 240, 25),
    ("新疆维吾尔自治区", "昌吉回族自治州", "玛纳斯县某农机合作社", False, 130, 50),
]
CONTACT_WORDS = [
    ("wechat", "微信传达本月主题党日内容，本人已学习并在群里发言。"),
    ("phone", "电话了解务工和身体情况，提醒按时交纳党费。"),
    ("visit", "春节返乡时当面交流，参加了支部组织生活会。"),
]


def _township() -> Township | None:
    return Township.objects.filter(name=SURVEYED, county__name=COUNTY).first()


def build_probations(actor=None) -> None:
    """Before the appraisal years: every probation's 入党 on record, all but two confirmed when due (so that the
    awards of past years read each member's standing as it was)."""
    township = _township()
    if township is None or StandingChange.objects.filter(member__village__township=township).exists():
        return
    with transaction.atomic():
        _probations(township, actor)


def build(actor=None) -> None:
    """The past year's leavings, the members away and a 不合格 case (after the dues and appraisal years)."""
    township = _township()
    if township is None or AwaySpell.objects.filter(member__village__township=township).exists():
        return
    with transaction.atomic():
        _build(township, actor)


def _probations(township: Township, actor) -> None:
    """Every township of the demo: the surveyed township's first two probations are left overdue."""
    today = clock.today()
    probationers = sorted(
        PartyMember.objects.filter(status=PartyMember.Status.PROBATIONARY).select_related("village"),
        key=lambda m: (m.village.township_id != township.pk, m.village.name, m.name, m.pk),
    )
    for i, m in enumerate(probationers):
        standing_record(
            member=m, kind=Kind.JOINED, on=m.joined_on, decision="支部大会决议，乡党委审批", acting_user=actor
        )
        due = probation_due(m.joined_on, None)
        if i >= OVERDUE and due <= today:
            standing_record(
                member=m,
                kind=Kind.CONFIRMED,
                on=due,
                decision="支部大会讨论通过，乡党委审批",
                document_no=f"金委组〔{due.year}〕{10 + i}号",
                acting_user=actor,
            )


def _ordinary(members):
    """Members who hold no leader's or deputy's post (a group keeps its leader)."""
    officer = GroupPost.objects.filter(member=OuterRef("pk"), ended_on__isnull=True).exclude(role=GroupPost.Role.MEMBER)
    return (
        members.filter(status=PartyMember.Status.FULL).exclude(Exists(officer)).order_by("village__name", "name", "pk")
    )


def _build(township: Township, actor) -> None:
    rng = random.Random(16)
    today = clock.today()
    members = PartyMember.objects.filter(village__township=township)
    ordinary = list(_ordinary(members))
    rng.shuffle(ordinary)
    # one transfer out and one death in the past year
    moved, died = ordinary.pop(), ordinary.pop()
    standing_record(
        member=moved,
        kind=Kind.TRANSFER_OUT,
        on=today - 120 * DAY,
        organisation="中共广州市白云区某街道工作委员会",
        letter_no=f"金组转〔{(today - 120 * DAY).year}〕3号",
        decision="本人在广州长期稳定就业，申请转移组织关系",
        acting_user=actor,
    )
    standing_record(member=died, kind=Kind.DIED, on=today - 210 * DAY, notes="因病去世", acting_user=actor)
    # a dozen members working away, with the branch's contact log
    for (province, city, workplace, fixed, days, last), m in zip(AWAY, ordinary, strict=False):
        since = today - days * DAY
        contact = (
            PartyMember.objects.filter(village_id=m.village_id, status=PartyMember.Status.FULL)
            .exclude(pk=m.pk)
            .order_by("name", "pk")
            .first()
        )
        spell = away_record(
            member=m,
            province=province,
            city=city,
            workplace=workplace,
            fixed_workplace=fixed,
            since=since,
            phone=f"1{rng.choice('35789')}{rng.randint(100000000, 999999999)}",
            contact_person=contact,
            remote_participation="支部微信群参加主题党日",
            acting_user=actor,
        )
        if last is not None:
            on = today - last * DAY
            earlier = on - 45 * DAY
            if earlier > since:
                how, what = CONTACT_WORDS[(days + 1) % 3]
                contact_record(spell=spell, on=earlier, how=how, what=what, acting_user=actor)
            how, what = CONTACT_WORDS[days % 3]
            contact_record(spell=spell, on=max(on, since), how=how, what=what, acting_user=actor)
    # a 不合格 grade of last year under 限期改正
    review = (
        AnnualReview.objects.filter(
            member__village__township=township,
            grade=AnnualReview.Grade.UNQUALIFIED,
            member__status=PartyMember.Status.FULL,
        )
        .order_by("-year", "pk")
        .first()
    )
    if review is not None:
        decided = max(datetime.date(review.year + 1, 1, 20), today - 150 * DAY)
        decided = min(decided, today)
        handling_record(
            review=review,
            measure="correct",
            decided_on=decided,
            deadline=periods.add_years(decided, 1) - 185 * DAY,
            decision="支部委员会研究，限期半年改正",
            acting_user=actor,
        )
