"""Demo data shaped by the township's own survey (shared/seed/party-group-survey.txt).

金溪乡 (the surveyed township, its name given here) has 83 villager groups, 36 party groups and 251 party members in
nine villages, with the people the survey names in the roles it gives them. 双河乡, a second township of 嘉陵县, is
smaller. Everything is deterministic (a fixed random seed) and built through the real services, so the rules hold.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import OperationalError, connection, transaction

from groups.models import PartyGroup, VillagerGroup
from groups.services import CandidateVotes, coverage_assign, election_record, member_join_group
from members.models import PartyMember
from members.validators import id_check_digit
from township.models import Assignment, County, Township, Village

COUNTY = "嘉陵县"
SURVEYED = "金溪乡"
OTHER = "双河乡"
ESTABLISHED = datetime.date(2022, 12, 20)  # party groups set up in December, cadres abolished on 1 January
REGION = "511321"

SURNAMES = "谢唐祝张杨汤罗李王陈刘何蒲赵周吴黄邓杜任苟向冯罗蒋胡袁何唐谢"
GIVEN_M = [
    "明德",
    "加惠",
    "龙贵",
    "兴国",
    "永志",
    "光华",
    "德成",
    "国富",
    "志强",
    "建军",
    "文华",
    "正清",
    "长林",
    "大勇",
    "世平",
    "洪元",
    "学文",
    "开富",
    "宗明",
    "天福",
    "家友",
    "泽民",
    "继红",
    "中全",
    "远平",
    "登科",
]
GIVEN_F = ["秀兰", "素芳", "玉华", "桂英", "淑珍", "春梅", "丽君", "晓燕", "德芬", "学琼", "翠英", "小红", "明英"]


@dataclass
class VillagePlan:
    name: str
    villager_groups: int
    # each party group's villager-group numbers, in order
    party_groups: list[list[int]]
    secretary: str
    named: dict = field(default_factory=dict)


def _split(n_vg: int, n_pg: int) -> list[list[int]]:
    """Two villager groups per party group, the remainder given to the last groups (three each)."""
    sizes = [2] * n_pg
    for i in range(n_vg - 2 * n_pg):
        sizes[-1 - i] += 1
    out, start = [], 1
    for s in sizes:
        out.append(list(range(start, start + s)))
        start += s
    return out


SURVEYED_VILLAGES = [
    VillagePlan("罗紫村", 12, [[1, 2], [3, 4], [5, 6], [7, 8, 9], [10, 11, 12]], "罗德华"),
    VillagePlan("静阳村", 10, _split(10, 4), "陈国平"),
    VillagePlan("金溪村", 9, _split(9, 4), "何大勇"),
    VillagePlan("白鹤村", 9, _split(9, 4), "蒲世平"),
    VillagePlan("青龙村", 9, _split(9, 4), "赵洪元"),
    VillagePlan("桂花村", 9, _split(9, 4), "周学文"),
    VillagePlan("石门村", 9, _split(9, 4), "吴开富"),
    VillagePlan("柏林村", 8, _split(8, 4), "黄宗明"),
    VillagePlan("河坝村", 8, _split(8, 3), "邓天福"),
]
OTHER_VILLAGES = [
    VillagePlan("双河村", 6, _split(6, 3), "杜家友"),
    VillagePlan("新桥村", 5, _split(5, 2), "任泽民"),
    VillagePlan("观音村", 5, _split(5, 2), "向继红"),
    VillagePlan("马鞍村", 4, _split(4, 2), "冯中全"),
]

# The people the survey names, and where they stand: (village, villager group the party group covers, role, tags).
SURVEY_PEOPLE = {
    ("罗紫村", 5): (
        "谢明德",
        "M",
        "leader",
        {
            "is_former_cadre": True,
            "is_old_member": True,
            "notes": "原罗紫村老支书；带领5社根治垮塌河堰，转包收益投入1公里社道路",
        },
    ),
    ("罗紫村", 3): (
        "唐加惠",
        "M",
        "leader",
        {"is_shuangdai": True, "notes": "撮合返乡青年祝高友在嘉陵江边投资建碎石厂，解决8名剩余劳动力"},
    ),
    ("罗紫村", 1): ("祝龙贵", "M", "leader", {"is_old_member": True, "notes": "调处张永志、杨秀兰两家多年纠纷"}),
    ("静阳村", 3): ("唐兴国", "M", "named", {"notes": "成立党小组后被支部吸收为小组成员，热心社务"}),
}

RESERVED_NAMES = {v[0] for v in SURVEY_PEOPLE.values()} | {"张永志", "杨秀兰", "汤光华", "祝高友"}

ACCOUNTS = [
    # username, full name, role, scope
    ("xiang", "王晓梅", Assignment.Role.TOWNSHIP_STAFF, ("township", SURVEYED)),
    # two more members of 金溪乡's party committee, with contact points of their own (seeding/demo/orglife_visits_posts)
    ("hezm", "何泽民", Assignment.Role.TOWNSHIP_STAFF, ("township", SURVEYED)),
    ("pudk", "蒲登科", Assignment.Role.TOWNSHIP_STAFF, ("township", SURVEYED)),
    ("luozi", "罗德华", Assignment.Role.BRANCH_SECRETARY, ("village", "罗紫村")),
    ("jingyang", "陈国平", Assignment.Role.BRANCH_SECRETARY, ("village", "静阳村")),
    ("county", "李建华", Assignment.Role.COUNTY_VIEWER, ("county", COUNTY)),
    ("shuanghe", "杜明清", Assignment.Role.TOWNSHIP_STAFF, ("township", OTHER)),
    ("xiemingde", "谢明德", Assignment.Role.GROUP_LEADER, ("party_group", "罗紫村/5、6社党小组")),
    # 三员: the security auditor and the account administrator, with no scope and no business data.
    ("shenji", "周审计", Assignment.Role.AUDITOR, ("none", "")),
    ("zhanghu", "孙账户", Assignment.Role.ACCOUNT_ADMIN, ("none", "")),
]
# Roles that work in the admin (the account administrator for accounts and roles only).
ADMIN_ROLES = {Assignment.Role.TOWNSHIP_STAFF, Assignment.Role.COUNTY_VIEWER, Assignment.Role.ACCOUNT_ADMIN}
# Demo accounts that may reveal full ID and phone numbers (members.reveal_personal_data); every reveal is audited.
REVEALERS = {"xiang"}


class People:
    """Deterministic names, birth dates, ID numbers and phone numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def id_number(self, born: datetime.date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(0, 100) * 10 + self.rng.choice([1, 3, 5, 7, 9] if sex == "M" else [0, 2, 4, 6, 8])
            first17 = f"{REGION}{born:%Y%m%d}{seq:03d}"
            value = first17 + id_check_digit(first17)
            if value not in self.ids:
                self.ids.add(value)
                return value

    def phone(self) -> str:
        while True:
            value = self.rng.choice(["138", "139", "158", "177", "181", "199"]) + f"{self.rng.randrange(10**8):08d}"
            if value not in self.phones:
                self.phones.add(value)
                return value

    def member(self, village: Village, *, name=None, sex=None, old=False, **extra) -> PartyMember:
        rng = self.rng
        sex = sex or rng.choice("MMMMF")
        if name is None:
            name = SURNAMES[0] + GIVEN_M[0]
            while name in RESERVED_NAMES:  # the survey's people appear once, where the survey puts them
                name = rng.choice(SURNAMES) + rng.choice(GIVEN_M if sex == "M" else GIVEN_F)
        year = rng.randint(1942, 1962) if old else rng.randint(1948, 1996)
        born = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
        joined = datetime.date(min(year + rng.randint(20, 40), 2022), rng.randint(1, 12), rng.randint(1, 28))
        status = (
            PartyMember.Status.PROBATIONARY if joined.year == 2022 and rng.random() < 0.5 else PartyMember.Status.FULL
        )
        m = PartyMember(
            village=village,
            name=name,
            sex=sex,
            birth_date=born,
            id_number=self.id_number(born, sex),
            phone=self.phone() if rng.random() < 0.9 else "",
            joined_on=joined,
            status=status,
            is_old_member=extra.pop("is_old_member", old and rng.random() < 0.5),
            is_former_cadre=extra.pop("is_former_cadre", old and rng.random() < 0.3),
            is_shuangdai=extra.pop("is_shuangdai", (not old) and rng.random() < 0.15),
            **extra,
        )
        m.full_clean()
        m.save()
        return m


def _group_sizes(rng: random.Random, n_groups: int, total: int, lo: int = 3, hi: int = 13) -> list[int]:
    """Sizes around five with one smallest (3) and one largest (13) group, adding up to total."""
    sizes = [lo, hi] + [5] * (n_groups - 2)
    i = 0
    while sum(sizes) < total:
        k = 2 + rng.randrange(n_groups - 2)
        if sizes[k] < hi - 1:
            sizes[k] += 1
        i += 1
    while sum(sizes) > total:
        k = 2 + rng.randrange(n_groups - 2)
        if sizes[k] > lo + 1:
            sizes[k] -= 1
    rng.shuffle(sizes)
    return sizes


def _build_township(rng, people, county, name, plans, n_members, actor) -> Township:
    township = Township.objects.create(county=county, name=name, committee_name=f"中共{name}委员会")
    n_groups = sum(len(p.party_groups) for p in plans)
    unassigned = len(plans)  # one member per village working away from home, in no party group (a warning)
    sizes = _group_sizes(rng, n_groups, n_members - unassigned)
    if name == SURVEYED:  # keep the survey's named groups ordinary-sized
        sizes.sort(key=lambda s: abs(s - 6))
    size_iter = iter(sizes)
    for plan in plans:
        village = Village.objects.create(
            township=township,
            name=plan.name,
            branch_name=f"中共{plan.name}支部委员会",
            secretary_name=plan.secretary,
            leaders_may_report=plan.name == "罗紫村",  # 罗紫村 lets its group leaders enter their own month
        )
        vgs = {}
        for n in range(1, plan.villager_groups + 1):
            households = rng.randint(38, 96)
            vgs[n] = VillagerGroup.objects.create(
                village=village,
                number=n,
                name=f"{n}社",
                households=households,
                population=households * rng.randint(28, 36) // 10,
            )
        for numbers in plan.party_groups:
            group = PartyGroup.objects.create(
                village=village, name=f"{'、'.join(map(str, numbers))}社党小组", established_on=ESTABLISHED
            )
            for n in numbers:
                coverage_assign(party_group=group, villager_group=vgs[n], started_on=ESTABLISHED, acting_user=actor)
            size = next(size_iter)
            named = next((v for (vname, vg), v in SURVEY_PEOPLE.items() if vname == plan.name and vg in numbers), None)
            members = []
            if named:
                person, sex, role, extra = named
                members.append(
                    (people.member(village, name=person, sex=sex, old=role == "leader", **dict(extra)), role)
                )
            while len(members) < size:
                members.append((people.member(village, old=rng.random() < 0.35), "member"))
            for m, _role in members:
                member_join_group(member=m, party_group=group, started_on=ESTABLISHED, acting_user=actor)
            _hold_founding_election(rng, group, members, actor)
        people.member(village, notes="外出务工，暂未编入党小组")
    return township


def _hold_founding_election(rng, group, members, actor) -> None:
    """Every group elects its leader and one or two deputies the day it is set up (the survey: democratic election)."""
    n = len(members)
    present = n if n <= 4 else n - rng.randint(0, 2)
    # Only full members vote and stand (党章第七条): probationary members are neither counted nor candidates.
    present = min(present, sum(1 for m, _role in members if m.status == PartyMember.Status.FULL))
    leader = next((m for m, role in members if role == "leader"), None)
    pool = [  # the survey's named ordinary members stay members
        m for m, role in members if role == "member" and m.status == PartyMember.Status.FULL
    ]
    if leader is None:
        leader = max(
            pool, key=lambda m: (m.is_former_cadre, m.is_old_member, m.is_shuangdai, -m.birth_date.toordinal())
        )
        pool.remove(leader)
    deputies = pool[: 2 if n >= 6 else 1]
    candidates = [CandidateVotes(leader, "leader", present - rng.randint(0, min(1, present // 3)))]
    candidates += [CandidateVotes(d, "deputy", present - rng.randint(0, present // 3)) for d in deputies]
    election_record(
        party_group=group,
        held_on=ESTABLISHED,
        members_present=present,
        candidates=candidates,
        acting_user=actor,
        notes="党小组成立大会，民主选举组长、副组长",
    )


@transaction.atomic
def build(actor=None) -> bool:
    """Build the demo county if it is not there yet; returns whether anything was built."""
    if Township.objects.filter(county__name=COUNTY, name=SURVEYED).exists():
        return False
    rng = random.Random(2025)  # noqa: S311 - demo data, not security
    people = People(rng)
    county, _ = County.objects.get_or_create(name=COUNTY)
    _build_township(rng, people, county, SURVEYED, SURVEYED_VILLAGES, 251, actor)
    _build_township(rng, people, county, OTHER, OTHER_VILLAGES, 62, actor)
    _failed_then_valid_election(actor)
    return True


def _failed_then_valid_election(actor) -> None:
    """静阳村's 1、2社 group: a re-election that failed for want of a quorum, then one that passed (history)."""
    group = PartyGroup.objects.get(village__name="静阳村", name="1、2社党小组")
    roll = [
        p.member
        for p in group.posts.filter(ended_on__isnull=True, member__status=PartyMember.Status.FULL).select_related(
            "member"
        )
    ]
    entitled = len(roll)
    day = datetime.date(2025, 12, 10)
    election_record(
        party_group=group,
        held_on=day,
        members_present=entitled // 2,
        candidates=[CandidateVotes(roll[-1], "leader", entitled // 2)],
        acting_user=actor,
        notes="换届选举：农忙外出，到会人数不足",
    )
    election_record(
        party_group=group,
        held_on=day + datetime.timedelta(days=14),
        members_present=entitled,
        candidates=[CandidateVotes(roll[-1], "leader", entitled - 1), CandidateVotes(roll[-2], "deputy", entitled - 1)],
        acting_user=actor,
        notes="换届选举：重新召开",
    )


def ensure_accounts(password: str) -> list[tuple[str, str, str]]:
    """Create or update the demo accounts with the given password; returns (username, name, role label)."""
    User = get_user_model()
    rows = []
    for username, full_name, role, (kind, scope_name) in ACCOUNTS:
        scope = {
            "township": lambda n: {"township": Township.objects.get(county__name=COUNTY, name=n)},
            "village": lambda n: {"village": Village.objects.get(township__county__name=COUNTY, name=n)},
            "county": lambda n: {"county": County.objects.get(name=n)},
            "party_group": lambda n: {
                "party_group": PartyGroup.objects.get(
                    village__township__county__name=COUNTY, village__name=n.split("/")[0], name=n.split("/")[1]
                )
            },
            "none": lambda n: {},
        }[kind](scope_name)
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = full_name
        user.is_staff = role in ADMIN_ROLES
        user.is_active = True
        user.set_password(password)
        user.save()
        Assignment.objects.update_or_create(
            user=user,
            defaults={"role": role, "county": None, "township": None, "village": None, "party_group": None, **scope},
        )
        if username in REVEALERS:
            user.user_permissions.add(
                Permission.objects.get(codename="reveal_personal_data", content_type__app_label="members")
            )
        label = Assignment.Role(role).label
        rows.append((username, full_name, f"{label} · {scope_name}" if scope_name else str(label)))
    return rows


def build_activity(*, beside_the_server: bool = False) -> None:
    """Months of reports, the ledgers and the concerns, each part skipped where it exists already. `make run` makes
    them `beside_the_server` (seed_demo --activity-only): see `_beside_the_server`."""
    from seeding.demo import appraisal as demo_appraisal
    from seeding.demo import concerns as demo_concerns
    from seeding.demo import dues as demo_dues
    from seeding.demo import ledger as demo_ledger
    from seeding.demo import orglife_meetings as demo_orglife_meetings
    from seeding.demo import orglife_visits_posts as demo_visits_posts
    from seeding.demo import reports as demo_reports
    from seeding.demo import standing as demo_standing

    for part in (
        demo_reports.build,
        demo_ledger.build,
        demo_concerns.build,
        demo_standing.build_probations,
        demo_appraisal.build,
        demo_dues.build,
        demo_orglife_meetings.build,
        demo_standing.build,
        demo_visits_posts.build,
    ):
        if beside_the_server:
            _beside_the_server(part)
        else:
            part()


PART_ATTEMPTS = 10
PAUSE_BETWEEN_PARTS = 0.5  # seconds


def _beside_the_server(part) -> None:
    """Run one part of the demo's activity without holding SQLite's write lock while it makes its rows.

    `make run` builds the activity beside the server. SQLite's transactions here begin IMMEDIATE (the write lock
    taken at BEGIN, config/settings.py), so a part holding it while it made thousands of rows in memory kept a person
    logging in waiting past the busy timeout, to an error page. A part therefore begins DEFERRED: the lock is taken at
    its first write. If someone wrote in between, SQLite refuses the part's first write ("database is locked"): the
    part was rolled back whole and is made again (each part is one transaction and skips what exists); the last
    attempt begins IMMEDIATE, waiting its turn, so the demo is always completed. Between parts the lock is left free
    for a moment. The parts that record through the services (dues, meetings) still write from their start; `make
    run`'s server waits for them (SQLITE_BUSY_SECONDS=60 there). PostgreSQL needs none of this."""
    if connection.vendor != "sqlite":
        part()
        return
    connection.ensure_connection()
    try:
        for attempt in range(1, PART_ATTEMPTS + 1):
            connection.transaction_mode = "DEFERRED" if attempt < PART_ATTEMPTS else "IMMEDIATE"
            try:
                part()
                return
            except OperationalError as exc:
                if "locked" not in str(exc) or attempt == PART_ATTEMPTS:
                    raise
                time.sleep(0.2 * attempt)
    finally:
        connection.transaction_mode = settings.DATABASES["default"]["OPTIONS"].get("transaction_mode")
        time.sleep(PAUSE_BETWEEN_PARTS)  # a request waiting to write goes first, not the next part
