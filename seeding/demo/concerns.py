"""Demo 党情民意 concerns for the demo county (township/demo.py), from 2025-11-01 to 2026-11-25.

A spread over the categories: most handled on the spot, some relayed to the branch or the township (a few passed on
from the branch), most resolved with an answer, some still open and some overdue. The survey's own cases are here:
the dispute between the 张永志 and 杨秀兰 families settled by 祝龙贵, and 汤光华 of 罗紫村 4社 helped into a living.
Everything goes through `activity.concerns.services`; the history rows and the time of recording are then
dated to the day each step happened, so the pages read like a year of real work. Deterministic and idempotent.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from activity.concerns.services import concern_answer, concern_record, concern_relay
from activity.models import Concern
from groups.models import Coverage, GroupPost, VillagerGroup
from members.models import PartyMember
from seeding.demo.build import COUNTY, OTHER, SURVEYED
from township.models import Assignment, Village

Category = Concern.Category
Handling = Concern.Handling

START = datetime.date(2025, 11, 1)
END = datetime.date(2026, 11, 25)
# The state the demo shows is the state on this day (the day the demo was written): open ones due after it are on
# time, those due before it are overdue.
AS_OF = datetime.date(2026, 11, 27)

# category → (what was said, the answer, who answers when it goes to the township)
TEXTS: dict[str, list[tuple[str, str, str]]] = {
    Category.HOT: [
        (
            "群众关心社道路硬化何时启动，询问资金从哪里来。",
            "已说明：项目纳入明年计划，资金由上级补助和社集体经费共同承担。",
            "乡党政办",
        ),
        ("反映个别低保户认定不公，要求公开评议结果。", "评议结果已在村务公开栏张贴，并逐户作了解释。", "乡民政办"),
        (
            "询问土地确权颁证进度，担心承包地面积有误。",
            "乡经管站答复：证书年底前发放到户，面积有误可申请复核。",
            "乡经管站",
        ),
        ("担心河滩采砂影响耕地和河堤安全。", "乡国土所现场核查，采砂点已按规定划定范围并设立警示。", "乡国土所"),
    ],
    Category.POLICY: [
        (
            "询问城乡居民医保今年的缴费标准和缴费时间。",
            "讲解了今年的缴费标准和代缴渠道，当场帮两户在手机上缴费。",
            "乡社保所",
        ),
        ("咨询农村危房改造补助的申请条件。", "说明了申请条件和所需材料，协助填写了申请表。", "乡村建办"),
        ("询问耕地地力保护补贴为什么没有到账。", "经核实是银行账号变更，已协助更正，补贴已补发。", "乡财政所"),
        ("外出务工人员询问养老保险怎样续缴。", "讲清了续缴办法，告知可在手机上缴纳。", "乡社保所"),
        ("咨询退耕还林补助是否继续发放。", "乡林业站答复：按原政策继续发放到期满。", "乡林业站"),
    ],
    Category.DISPUTE: [
        (
            "两户因宅基地边界发生争执，互不相让。",
            "党小组现场丈量，讲清政策，双方认可界址并签字确认，和好如初。",
            "乡司法所",
        ),
        ("邻里因灌溉放水先后发生口角。", "党小组召集两户商定轮灌顺序，双方和解。", "乡司法所"),
        ("兄弟之间因赡养老人费用分摊产生矛盾。", "党小组上门调解，议定每人每月分摊数额，老人满意。", "乡司法所"),
        ("两户因林地界线争议多次争吵。", "请老党员作证、对照林权证确定界线，双方握手言和。", "乡林业站"),
    ],
    Category.RIGHTS: [
        ("在外务工被拖欠工资八千余元，请求帮助。", "联系乡劳动保障所出面协调，工资已全部追回。", "乡劳动保障所"),
        ("买的玉米种子出苗率低，怀疑是假种子。", "乡农业服务中心取样送检，经销商已按协议赔偿。", "乡农业服务中心"),
        ("对征地补偿款分配有异议。", "乡政府答复并公示了补偿标准和分配明细，群众无异议。", "乡党政办"),
    ],
    Category.INFRASTRUCTURE: [
        ("社道路雨后塌方，车辆无法通行。", "组织社员投工投劳清理塌方，道路已恢复通行。", "乡村建办"),
        ("饮水管道破裂，十多户停水。", "联系维修人员更换管道，三天内恢复供水。", "乡水利站"),
        ("村口路灯坏了很久，夜里出行不便。", "已更换灯具，恢复照明。", "乡村建办"),
        ("山坪塘渗漏，担心影响明年春灌。", "乡水利站已列入冬修计划，组织整治。", "乡水利站"),
        ("希望在社里的小河上修一座便民桥。", "已纳入村级项目库，先搭建临时便桥。", "乡村建办"),
    ],
    Category.LIVELIHOOD: [
        ("想发展养殖，缺资金也缺技术。", "联系乡农业服务中心上门培训，协助申请了小额贷款。", "乡农业服务中心"),
        ("留守老人看病不方便。", "联系村医每月上门巡诊一次。", "乡卫生院"),
        ("柑橘销路不好，价格低。", "支部联系收购商上门收购，价格比集市高。", "乡农业服务中心"),
        ("希望参加技能培训后外出务工。", "推荐参加乡里组织的电焊培训班。", "乡劳动保障所"),
    ],
    Category.OTHER: [
        ("建议在村活动室增添图书。", "联系乡文化站配送图书二百册。", "乡文化站"),
        ("反映有野狗伤人，请求处理。", "组织村民排查，联系乡畜牧站处置并给犬只接种疫苗。", "乡畜牧站"),
    ],
}
# How often each category comes up: questions and roads most, rights and "other" least.
WEIGHTS = {
    Category.HOT: 3,
    Category.POLICY: 5,
    Category.DISPUTE: 3,
    Category.RIGHTS: 2,
    Category.INFRASTRUCTURE: 5,
    Category.LIVELIHOOD: 4,
    Category.OTHER: 1,
}
PER_VILLAGE = {"罗紫村": 12, "静阳村": 9}  # others: 6 in the surveyed township, 3 in the other


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(8, 19), rng.randint(0, 59))))


def _date_last_step(concern: Concern, day: datetime.date, rng: random.Random, *, first: bool = False) -> None:
    """Date the latest history row (and, for the first, the time of recording) to the day the step was taken."""
    when = _at(day, rng)
    latest = concern.history.order_by("-history_id").first()
    type(latest).objects.filter(pk=latest.pk).update(history_date=when)
    if first:
        Concern.objects.filter(pk=concern.pk).update(recorded_at=when)


class _Village:
    """A village's villager groups, each with the members of the party group that looks after it."""

    def __init__(self, village: Village):
        self.village = village
        members: dict[int, list[PartyMember]] = {}
        posts = GroupPost.objects.current().filter(party_group__village=village).select_related("member")
        for post in posts.order_by("member__name", "member_id"):
            members.setdefault(post.party_group_id, []).append(post.member)
        covered = Coverage.objects.current().filter(villager_group__village=village).select_related("villager_group")
        self.groups = [
            (c.villager_group, members.get(c.party_group_id, []))
            for c in covered.order_by("villager_group__number")
            if members.get(c.party_group_id)
        ]


def _users() -> tuple[dict, dict]:
    secretaries = {
        a.village_id: a.user
        for a in Assignment.objects.filter(role=Assignment.Role.BRANCH_SECRETARY).select_related("user")
    }
    staff = {
        a.township_id: a.user
        for a in Assignment.objects.filter(role=Assignment.Role.TOWNSHIP_STAFF).select_related("user")
    }
    return secretaries, staff


@transaction.atomic
def build(actor=None) -> None:
    """Create the demo concerns unless the demo county has some already, or is not there yet."""
    villages = list(
        Village.objects.filter(township__county__name=COUNTY, township__name__in=[SURVEYED, OTHER]).select_related(
            "township"
        )
    )
    if not villages or Concern.objects.filter(village__township__county__name=COUNTY).exists():
        return
    order = {SURVEYED: 0, OTHER: 1}
    villages.sort(key=lambda v: (order[v.township.name], v.pk))
    rng = random.Random(1203)  # noqa: S311 - demo data, not security
    secretaries, staff = _users()
    categories = [c for c, w in WEIGHTS.items() for _ in range(w)]
    for village in villages:
        place = _Village(village)
        if not place.groups:
            continue
        n = PER_VILLAGE.get(village.name, 6 if village.township.name == SURVEYED else 3)
        branch_user = secretaries.get(village.pk) or actor
        township_user = staff.get(village.township_id) or actor
        span = (END - START).days
        days = sorted(START + datetime.timedelta(days=rng.randint(0, span)) for _ in range(n))
        for raised_on in days:
            vg, members = rng.choice(place.groups)
            _one(rng, village, vg, rng.choice(members), raised_on, rng.choice(categories), branch_user, township_user)
    _survey_cases(rng, secretaries, actor)
    _open_cases(rng, secretaries, actor)


def _one(rng, village, vg, member, raised_on, category, branch_user, township_user) -> Concern:
    """One concern and what became of it, decided by the dice and by how long ago it was raised."""
    content, answer, department = rng.choice(TEXTS[category])
    villager = rng.choice(["", "", "张大爷", "李婶", "王家老二", "陈师傅", "刘大姐"])
    roll = rng.random()
    handling = Handling.ON_SPOT if roll < 0.45 else Handling.BRANCH if roll < 0.8 else Handling.TOWNSHIP
    age = (AS_OF - raised_on).days
    if handling == Handling.ON_SPOT:
        left_open = age < 30 and rng.random() < 0.5
        c = concern_record(
            villager_group=vg,
            raised_through=member,
            raised_on=raised_on,
            category=category,
            content=content,
            villager_name=villager,
            handling=handling,
            answer="" if left_open else answer,
            settled_by_mediation=category == Category.DISPUTE and not left_open,
            acting_user=branch_user,
        )
        _date_last_step(c, raised_on, rng, first=True)
        return c
    c = concern_record(
        villager_group=vg,
        raised_through=member,
        raised_on=raised_on,
        category=category,
        content=content,
        villager_name=villager,
        handling=handling,
        acting_user=branch_user,
    )
    _date_last_step(c, raised_on, rng, first=True)
    answerer, answered_by = branch_user, f"{village.secretary_name}（村支部）"
    if handling == Handling.TOWNSHIP:
        answerer, answered_by = township_user, department
    elif rng.random() < 0.25:  # beyond what the branch can do: passed on to the township
        relayed_on = min(raised_on + datetime.timedelta(days=rng.randint(3, 10)), END)
        c = concern_relay(concern=c, to=Handling.TOWNSHIP, relayed_on=relayed_on, acting_user=branch_user)
        _date_last_step(c, relayed_on, rng)
        answerer, answered_by = township_user, department
    # Open if its due date is still ahead; overdue now and then (about one in six of those past due).
    if c.due_on >= AS_OF or rng.random() < 0.17:
        return c
    start = c.relayed_on or raised_on
    resolved_on = min(start + datetime.timedelta(days=rng.randint(2, (c.due_on - start).days)), END)
    c = concern_answer(
        concern=c,
        answer=answer,
        answered_by=answered_by,
        resolved_on=resolved_on,
        settled_by_mediation=category == Category.DISPUTE,
        acting_user=answerer,
    )
    _date_last_step(c, resolved_on, rng)
    return c


def _survey_cases(rng, secretaries, actor) -> None:
    """The survey's two cases in 罗紫村: the mediated dispute, and 汤光华 helped into a living."""
    luozi = Village.objects.filter(township__county__name=COUNTY, township__name=SURVEYED, name="罗紫村").first()
    if luozi is None:
        return
    user = secretaries.get(luozi.pk) or actor
    zhu = PartyMember.objects.filter(village=luozi, name="祝龙贵").first()
    tang = PartyMember.objects.filter(village=luozi, name="唐加惠").first()
    if zhu is not None:
        day = datetime.date(2025, 12, 9)
        c = concern_record(
            villager_group=VillagerGroup.objects.get(village=luozi, number=2),
            raised_through=zhu,
            raised_on=day,
            category=Category.DISPUTE,
            content="张永志、杨秀兰两家积怨多年，这次又起纠纷，双方争执不下，群众反响较大。",
            villager_name="张永志、杨秀兰",
            handling=Handling.ON_SPOT,
            answer="党小组长祝龙贵立即赶到，问情况、讲法规、明事理，妥善处理了两家之间的关系，"
            "消除了两家多年积怨，两家人和好如初。",
            answered_by="祝龙贵",
            settled_by_mediation=True,
            acting_user=user,
        )
        _date_last_step(c, day, rng, first=True)
    if tang is not None:
        day = datetime.date(2025, 11, 18)
        c = concern_record(
            villager_group=VillagerGroup.objects.get(village=luozi, number=4),
            raised_through=tang,
            raised_on=day,
            category=Category.LIVELIHOOD,
            content="4社汤光华原先是村里出了名的“天棒”，人人见了直想躲。党小组想帮他走上正路，"
            "他本人也想做点事，但缺门路、缺资金。",
            villager_name="汤光华",
            handling=Handling.ON_SPOT,
            acting_user=user,
        )
        _date_last_step(c, day, rng, first=True)
        done = datetime.date(2026, 10, 16)
        c = concern_answer(
            concern=c,
            answer="小组成员轮番做工作，他很快认识到了自己的缺点。在党小组帮助下建起一个养猪场、一个酒厂，"
            "还饲养了数千只鸭子，一年收入近5万元。",
            answered_by="3、4社党小组（组长唐加惠）",
            resolved_on=done,
            acting_user=user,
        )
        _date_last_step(c, done, rng)


# Still open on the demo's day, so the personas' queues show real work: (village, 社, member or None for the covering
# group's first, raised on, category, handling, due by or None for the default, what was said, villager).
OPEN_CASES = [
    (
        "罗紫村",
        7,
        None,
        datetime.date(2026, 10, 20),
        Category.INFRASTRUCTURE,
        Handling.BRANCH,
        None,
        "7社到8社的机耕道被山洪冲毁一段，秋收运输困难。",
        "",
    ),
    (
        "罗紫村",
        10,
        None,
        datetime.date(2026, 11, 12),
        Category.POLICY,
        Handling.BRANCH,
        None,
        "询问高龄老人补贴什么时候发放。",
        "刘大姐",
    ),
    (
        "罗紫村",
        6,
        None,
        datetime.date(2026, 11, 20),
        Category.HOT,
        Handling.ON_SPOT,
        None,
        "群众议论社集体经费的使用，希望把账目公开。",
        "",
    ),
    (
        "罗紫村",
        11,
        None,
        datetime.date(2026, 9, 15),
        Category.RIGHTS,
        Handling.TOWNSHIP,
        datetime.date(2026, 10, 15),
        "几户反映修路占用的承包地，补偿款迟迟没有到位。",
        "",
    ),
    (
        "静阳村",
        4,
        "唐兴国",
        datetime.date(2026, 10, 28),
        Category.INFRASTRUCTURE,
        Handling.TOWNSHIP,
        datetime.date(2026, 11, 20),
        "4社饮水工程的蓄水池开裂漏水，二十多户用水紧张。",
        "",
    ),
    (
        "静阳村",
        2,
        None,
        datetime.date(2026, 11, 16),
        Category.LIVELIHOOD,
        Handling.BRANCH,
        None,
        "返乡青年想流转土地种中药材，询问流转手续。",
        "陈师傅",
    ),
]


def _open_cases(rng, secretaries, actor) -> None:
    for village_name, number, person, raised_on, category, handling, due_on, content, villager in OPEN_CASES:
        village = Village.objects.filter(
            township__county__name=COUNTY, township__name=SURVEYED, name=village_name
        ).first()
        if village is None:
            continue
        vg = VillagerGroup.objects.get(village=village, number=number)
        member = PartyMember.objects.filter(village=village, name=person).first() if person else None
        if member is None:
            member = dict(_Village(village).groups)[vg][0]
        c = concern_record(
            villager_group=vg,
            raised_through=member,
            raised_on=raised_on,
            category=category,
            content=content,
            villager_name=villager,
            handling=handling,
            due_on=due_on,
            acting_user=secretaries.get(village.pk) or actor,
        )
        _date_last_step(c, raised_on, rng, first=True)
