"""Demo contact points, visits and posts for members without office for 金溪乡, the surveyed township, through the
services of `orglife.visits` and `orglife.posts`.

The survey: the committee members often go down to the party groups, see the members' and villagers' thinking,
study, work and life, and help solve hard problems; members without office carry the abolished villager-group
cadres' duties. So: the township's three committee accounts (王晓梅 `xiang`, 何泽民, 蒲登科) each hold three
villages as contact points (蒲登科 holds 河坝村's second party group alone rather than the whole village), and visit
each about once a month over the twelve months ending today, meeting two party groups a time in turn; this quarter a
few party groups have had no visit yet (the township's list shows them). Problems taken up are followed up, most
resolved, and one in five is passed to the township as a concern (党情民意). Every branch sets five posts — 政策宣传,
矛盾调解, a 联系农户 post for a villager group with its households named, 环境卫生 and 产业带头 — held by members
without office; 罗紫村's 产业带头 post is 唐加惠's, who leads a party group, so it is flagged; one 静阳村 member
handed her post over in the year. Each holder's activities in the monthly reports that fit the post are credited to
it. Running it again changes nothing.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from activity.models import Activity, Concern
from core import clock, periods
from groups.models import GroupPost, PartyGroup
from members.models import PartyMember
from orglife.posts.models import DutyPost
from orglife.posts.services import duty_credit, offices_of, post_assign, post_define
from orglife.visits.models import ContactPoint
from orglife.visits.services import (
    contact_point_assign,
    visit_problem_follow_up,
    visit_problem_to_concern,
    visit_record,
)
from township.models import Township, Village

COUNTY = "嘉陵县"
SURVEYED = "金溪乡"
# committee account → its contact villages (a "村/党小组" entry is one party group only)
CONTACTS = {
    "xiang": ["罗紫村", "静阳村", "金溪村"],
    "hezm": ["白鹤村", "青龙村", "桂花村"],
    "pudk": ["石门村", "柏林村", "河坝村/2"],
}
LEARNED = [
    "党员思想稳定，学习按月开展；外出务工党员通过微信群参加学习。",
    "群众关心今年医保缴费标准和低保复核，党小组已逐户讲解。",
    "春耕用水紧张，党小组组织修整了渠道，群众反映良好。",
    "社道路硬化后群众出行方便，希望继续修通到组的最后一段。",
    "留守老人较多，党员结对联系，定期上门看望。",
    "秋收顺利，党小组帮助两户缺劳力家庭抢收。",
    "返乡青年有创业意愿，希望得到小额贷款政策指导。",
    "村规民约修订后，乱堆乱放明显减少。",
]
PROBLEMS = [
    ("河堰渗水，雨季前需要整修", Concern.Category.INFRASTRUCTURE, "已联系乡水利站现场查看，列入冬修计划。"),
    ("两户因宅基地边界发生争执", Concern.Category.DISPUTE, "党小组长出面调解，两户签订了协议。"),
    ("低保复核有一户未通知到", Concern.Category.POLICY, "已通知本人补交材料，民政办复核通过。"),
    ("社道路一段垮塌影响出行", Concern.Category.INFRASTRUCTURE, "乡上安排了应急资金抢修。"),
    ("养猪场粪污处理群众有意见", Concern.Category.LIVELIHOOD, "督促业主建了沼气池，气味明显减轻。"),
    ("外出务工人员工资被拖欠", Concern.Category.RIGHTS, "协助联系劳动监察部门，已追回大部分工资。"),
]
POSTS = [
    ("policy", "政策宣传岗", "宣传医保、低保、农村安全等政策，每月至少入户宣讲一次。", Activity.Kind.POLICY),
    ("mediation", "矛盾调解岗", "及时了解邻里纠纷，出面调解，调解不了的报支部。", Activity.Kind.MEDIATION),
    ("households", "联系农户岗", "经常走访联系的农户，听取意见，反映党情民意。", Activity.Kind.VISIT),
    ("sanitation", "环境卫生岗", "督促村容村貌整治，组织清理沟渠和公共场地。", Activity.Kind.AFFAIRS),
    ("industry", "产业带头岗", "带头发展产业，带动群众增收致富。", Activity.Kind.PROJECT),
]
HOUSEHOLD_NAMES = "张德明、杨国富、罗长林、何素芳、唐开富、蒲正清"
CREDITS_PER_ASSIGNMENT = 6


def already_built(township) -> bool:
    return ContactPoint.objects.filter(village__township=township).exists()


def build(actor=None) -> None:
    township = Township.objects.filter(name=SURVEYED, county__name=COUNTY).first()
    if township is None or already_built(township):
        return
    with transaction.atomic():
        rng = random.Random(15)  # noqa: S311 - demo data, not security
        _visits(rng, township, actor)
        _posts(rng, township, actor)


def _visits(rng: random.Random, township: Township, actor) -> None:
    today = clock.today()
    start = periods.add_months(periods.month_of(today), -11)
    users = get_user_model().objects.in_bulk(list(CONTACTS), field_name="username")
    villages = {v.name: v for v in Village.objects.filter(township=township)}
    groups = {}
    for g in PartyGroup.objects.filter(village__township=township).on(today).order_by("name"):
        groups.setdefault(g.village_id, []).append(g)
    # this quarter, these party groups are left unvisited (the township's list shows them)
    skipped = {
        groups[villages["青龙村"].pk][-1].pk,
        groups[villages["柏林村"].pk][0].pk,
        groups[villages["桂花村"].pk][1].pk,
    }
    quarter_first = periods.quarter_range(today.year, periods.quarter_of(today))[0]
    problem_k = 0
    for username, places in CONTACTS.items():
        user = users.get(username)
        if user is None:
            continue
        for place in places:
            name, _, index = place.partition("/")
            village = villages[name]
            group = groups[village.pk][int(index) - 1] if index else None
            contact_point_assign(member=user, village=village, party_group=group, started_on=start, acting_user=actor)
            pool = [group] if group else groups[village.pk]
            for k in range(12):
                month = periods.add_months(start, k)
                day = month + datetime.timedelta(days=rng.randint(3, 24))
                missed = rng.random() < 0.1 and day < quarter_first  # now and then a month without a visit
                if day > today or missed:
                    continue
                # two party groups a visit, in turn, so each is met about once a quarter
                met_groups = list(
                    {
                        pool[(2 * k) % len(pool)].pk: pool[(2 * k) % len(pool)],
                        pool[(2 * k + 1) % len(pool)].pk: pool[(2 * k + 1) % len(pool)],
                    }.values()
                )
                if day >= quarter_first:
                    met_groups = [g for g in met_groups if g.pk not in skipped]
                    if not met_groups:
                        continue
                has_problem = rng.random() < 0.35
                problem = PROBLEMS[problem_k % len(PROBLEMS)] if has_problem else None
                visit = visit_record(
                    visitor=user,
                    village=village,
                    party_groups=met_groups,
                    visited_on=day,
                    met=f"{'、'.join(g.name for g in met_groups)}组长和{rng.randint(2, 6)}户群众",
                    learned=rng.choice(LEARNED),
                    problems=[problem[0]] if problem else [],
                    acting_user=actor,
                )
                if problem is None:
                    continue
                problem_k += 1
                row = visit.problems.get()
                if problem_k % 5 == 0:
                    group_for = met_groups[0]
                    vg = group_for.villager_groups_in(day, day).order_by("number").first()
                    leader = (
                        GroupPost.objects.on(day)
                        .filter(party_group=group_for)
                        .select_related("member")
                        .order_by("role")
                        .first()
                    )
                    if vg is not None and leader is not None:
                        visit_problem_to_concern(
                            problem=row,
                            villager_group=vg,
                            raised_through=leader.member,
                            category=problem[1],
                            acting_user=actor,
                        )
                        continue
                resolved = day + datetime.timedelta(days=rng.randint(5, 40))
                visit_problem_follow_up(
                    problem=row,
                    follow_up=problem[2],
                    resolved_on=resolved if resolved <= today and rng.random() < 0.8 else None,
                    acting_user=actor,
                )


def _posts(rng: random.Random, township: Township, actor) -> None:
    today = clock.today()
    start = periods.add_months(periods.month_of(today), -11)
    for village in Village.objects.filter(township=township).order_by("name"):
        members = list(
            PartyMember.objects.filter(
                village=village,
                pk__in=GroupPost.objects.current().filter(party_group__village=village).values("member_id"),
            )
            .in_party_on()
            .order_by("name", "pk")
        )
        offices = offices_of(members, today)
        without_office = [m for m in members if not offices[m.pk]]
        rng.shuffle(without_office)
        vg = village.villager_groups.order_by("number").first()
        for i, (kind, title, duties, _activity_kind) in enumerate(POSTS):
            post = post_define(
                village=village,
                kind=kind,
                title=f"{vg.name}{title}" if kind == "households" else title,
                duties=duties,
                villager_group=vg if kind == "households" else None,
                households=HOUSEHOLD_NAMES if kind == "households" else "",
                acting_user=actor,
            )
            holder = without_office[i % len(without_office)] if without_office else None
            if village.name == "罗紫村" and kind == "industry":
                holder = PartyMember.objects.get(village=village, name="唐加惠")  # a group leader: flagged
            if holder is None:
                continue
            if village.name == "静阳村" and kind == "policy" and len(without_office) > len(POSTS):
                # handed over half-way through the year
                middle = periods.add_months(start, 6)
                post_assign(post=post, member=holder, started_on=start, ended_on=middle, acting_user=actor)
                post_assign(post=post, member=without_office[len(POSTS)], started_on=middle, acting_user=actor)
            else:
                post_assign(post=post, member=holder, started_on=start, acting_user=actor)
    _credit(township, actor)


def _credit(township: Township, actor) -> None:
    kinds = {kind: activity_kind for kind, _t, _d, activity_kind in POSTS}
    posts = DutyPost.objects.filter(village__township=township).prefetch_related("assignments__member")
    for post in posts:
        for a in post.assignments.all():
            last = (a.ended_on - datetime.timedelta(days=1)) if a.ended_on else clock.today()
            activities = Activity.objects.filter(
                participants=a.member,
                report__party_group__village_id=post.village_id,
                held_on__gte=a.started_on,
                held_on__lte=last,
                kind=kinds[post.kind],
            ).order_by("-held_on", "-pk")[:CREDITS_PER_ASSIGNMENT]
            for activity in activities:
                duty_credit(assignment=a, activity=activity, acting_user=actor)
