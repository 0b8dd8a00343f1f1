"""The org tree, accounts, party members and their posts for one generated township, shaped like the surveyed one:
about 9 villages, 83 villager groups (社), 36 party groups of 3–13 members (two or three 社 each) and 250 members,
one member per village working away in no group, every group with its founding election and a few with a later one.

Personal data is encrypted here in bulk (Fernet and the keyed hash, as `core.fields` does on save), never through
model saves. Every account shares one password hash, made once by the caller (Argon2 is slow on purpose).
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model

from core.fields import fernet, lookup_hash, mask_id_number, mask_phone
from groups.models import Coverage, ElectionCandidate, GroupPost, LeaderElection, PartyGroup, VillagerGroup
from members.models import PartyMember
from seeding.demo.build import _split as split_villager_groups
from seeding.scale import names
from seeding.scale.plan import Group, Member, Run, Town, VillagePlan, at
from township.models import Assignment, County, Township, Village

Role = Assignment.Role
PostRole = GroupPost.Role
RULES_TEXT = "到会党员过半数；得票超过到会党员半数"  # the township defaults, as election_record writes them


def write_county(run: Run, number: int, name: str) -> int:
    """A county and its read-only viewer account c001."""
    w = run.writer
    county_id = w.new_id(County)
    w.add(County, (county_id, name))
    user_id = add_user(run, f"c{number:03d}", names.person_name(run.rng_for(f"c{number}", "county"), "M"), staff=True)
    w.add(Assignment, (w.new_id(Assignment), user_id, Role.COUNTY_VIEWER, county_id, None, None, None))
    return county_id


def add_user(run: Run, username: str, full_name: str, *, staff: bool) -> int:
    w = run.writer
    user_id = w.new_id(get_user_model())
    now = run.calendar.now
    w.add(get_user_model(), (user_id, run.password_hash, username, full_name, staff, True, now))
    return user_id


def write_township(run: Run, *, number: int, name: str, county_id: int, region: str) -> Town:
    """The township, its villages and villager groups, the staff and secretary accounts, the members and posts."""
    rng = run.rng_for(number, "org")
    w = run.writer
    town = Town(number=number, id=w.new_id(Township), name=name, county_id=county_id, region=region, staff_id=0)
    w.add(Township, (town.id, county_id, name, f"中共{name}委员会"))
    username = f"t{number:04d}"
    town.staff_id = add_user(run, username, names.person_name(rng, rng.choice("MF")), staff=True)
    w.add(Assignment, (w.new_id(Assignment), town.staff_id, Role.TOWNSHIP_STAFF, None, town.id, None, None))
    n_villages = rng.choice((8, 9, 9, 9, 10))
    for k, village_name in enumerate(names.village_names(rng, n_villages), start=1):
        town.villages.append(_village(run, rng, town, k, village_name))
    return town


def _village(run: Run, rng: random.Random, town: Town, k: int, name: str) -> VillagePlan:
    w = run.writer
    secretary = names.person_name(rng, rng.choice("MMMF"))
    village_id = w.new_id(Village)
    w.add(Village, (village_id, town.id, name, f"中共{name}支部委员会", secretary, rng.random() < 0.1))
    user_id = add_user(run, f"t{town.number:04d}v{k:02d}", secretary, staff=False)
    w.add(Assignment, (w.new_id(Assignment), user_id, Role.BRANCH_SECRETARY, None, None, village_id, None))
    plan = VillagePlan(id=village_id, name=name, secretary_id=user_id, secretary_name=secretary)
    n_vg = rng.choice((8, 8, 9, 9, 9, 10, 10, 11, 12))
    vgs = {}
    for n in range(1, n_vg + 1):
        households = rng.randint(38, 96)
        vgs[n] = (w.new_id(VillagerGroup), households)
        w.add(VillagerGroup, (vgs[n][0], village_id, n, f"{n}社", households, households * rng.randint(28, 36) // 10))
    established = run.calendar.established
    people = People(run, rng, town, plan)
    for numbers in split_villager_groups(n_vg, max(2, round(n_vg / 2.3))):
        group_id, group_name = w.new_id(PartyGroup), f"{'、'.join(map(str, numbers))}社党小组"
        w.add(PartyGroup, (group_id, village_id, group_name, established, None))
        for n in numbers:
            w.add(Coverage, (w.new_id(Coverage), group_id, vgs[n][0], established, None))
        size = min(13, max(3, round(rng.gauss(6.4, 2.2))))
        members = [people.member(old=rng.random() < 0.35) for _ in range(size)]
        members.sort(key=lambda m: (m.tags, -m.birth.toordinal()), reverse=True)  # cadres and old members lead
        group = Group(group_id, village_id, group_name, [vgs[n] for n in numbers], members, rng.uniform(0.6, 0.93))
        _elect(run, rng, group)
        plan.groups.append(group)
    people.member(old=False, notes="外出务工，暂未编入党小组")
    people.write()
    return plan


class People:
    """A village's members, written in one go with their ID and phone numbers encrypted in bulk. A member not
    `listed` (a former member, `seeding.scale.standing`) is written but kept out of the village's members."""

    def __init__(self, run: Run, rng: random.Random, town: Town, plan: VillagePlan):
        self.run, self.rng, self.town, self.plan = run, rng, town, plan
        self.rows: list[tuple] = []

    def member(
        self, *, old: bool, notes: str = "", status: str = PartyMember.Status.FULL, left_on=None, listed: bool = True
    ) -> Member:
        rng, established = self.rng, self.run.calendar.established
        sex = rng.choice("MMMMF")
        top = established.year - 25
        year = rng.randint(top - 55, top - 35) if old else rng.randint(top - 48, top)
        born = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
        joined = datetime.date(min(year + rng.randint(20, 40), established.year - 1), rng.randint(1, 12), 1)
        tags = (old and rng.random() < 0.3, old and rng.random() < 0.5, (not old) and rng.random() < 0.15)
        name = names.person_name(rng, sex)
        m = Member(self.run.writer.new_id(PartyMember), self.plan.id, name, sex, born, tags, joined)
        id_number = self.run.identities.id_number(rng, self.town.region, born, sex)
        phone = self.run.identities.phone(rng) if rng.random() < 0.9 else ""
        self.rows.append((m, id_number, phone, joined, notes, status, left_on))
        if listed:
            self.plan.members.append(m)
        return m

    def set_standing(self, m: Member, status: str, left_on: datetime.date | None) -> None:
        """A member's cached standing (a former member's, once their history is known), before `write`."""
        for i, row in enumerate(self.rows):
            if row[0] is m:
                self.rows[i] = (*row[:5], status, left_on)

    def write(self) -> None:
        f = fernet()
        for m, id_number, phone, joined, notes, status, left_on in self.rows:
            self.run.writer.add(
                PartyMember,
                (
                    m.id, m.village_id, m.name, m.sex, m.birth,
                    f.encrypt(id_number.encode()).decode(), lookup_hash(id_number), mask_id_number(id_number),
                    f.encrypt(phone.encode()).decode() if phone else "", lookup_hash(phone), mask_phone(phone),
                    joined, status, *m.tags, left_on, notes,
                ),
            )  # fmt: skip


def _elect(run: Run, rng: random.Random, group: Group) -> None:
    """The founding election (leader and one or two deputies, everyone else a member); in about one group in twelve
    a later re-election hands the leadership to the first deputy; in one in thirty a failed one (no quorum) first."""
    established = run.calendar.established
    members = group.members
    deputies = members[1 : 3 if len(members) >= 6 else 2]
    election = _election(run, rng, group, established, "党小组成立大会，民主选举组长、副组长")
    _candidates(run, rng, election, [(members[0], "leader")] + [(d, "deputy") for d in deputies])
    group.terms = [(members[0].id, established, None)]
    later = run.calendar.months[len(run.calendar.months) // 3 :]
    change_on = rng.choice(later).replace(day=rng.randint(5, 25)) if rng.random() < 1 / 12 else None
    if change_on is not None and change_on >= run.calendar.today:
        change_on = None
    posts = [(members[0], PostRole.LEADER, None, election[0])]
    posts += [(d, PostRole.DEPUTY, seat, election[0]) for seat, d in enumerate(deputies, start=1)]
    posts += [(m, PostRole.MEMBER, None, None) for m in members[1 + len(deputies) :]]
    w = run.writer
    for member, role, seat, election_id in posts:
        ended = change_on if change_on and role != PostRole.MEMBER else None
        w.add(GroupPost, (w.new_id(GroupPost), group.id, member.id, role, seat, established, ended, election_id))
    if change_on is None:
        if rng.random() < 1 / 30:
            failed = _election(run, rng, group, run.calendar.months[-2], "换届选举：农忙外出，到会人数不足", fail=True)
            _candidates(run, rng, failed, [(members[0], "leader")], elected=False)
        return
    _reelect(run, rng, group, change_on, members[0], deputies)


def _reelect(run: Run, rng: random.Random, group: Group, day: datetime.date, old_leader: Member, deputies) -> None:
    """The first deputy becomes leader; the old leader and the second deputy are the deputies from that day."""
    new_leader = deputies[0]
    new_deputies = [old_leader] + list(deputies[1:])
    election = _election(run, rng, group, day, "换届选举")
    _candidates(run, rng, election, [(new_leader, "leader")] + [(d, "deputy") for d in new_deputies])
    w = run.writer
    w.add(GroupPost, (w.new_id(GroupPost), group.id, new_leader.id, PostRole.LEADER, None, day, None, election[0]))
    for seat, d in enumerate(new_deputies, start=1):
        w.add(GroupPost, (w.new_id(GroupPost), group.id, d.id, PostRole.DEPUTY, seat, day, None, election[0]))
    group.terms = [(old_leader.id, group.terms[0][1], day), (new_leader.id, day, None)]


def _election(run: Run, rng: random.Random, group: Group, day, notes: str, *, fail: bool = False) -> tuple[int, int]:
    """(election id, members present): more than half present, unless it failed for want of a quorum."""
    n = len(group.members)
    present = n // 2 if fail else max(n // 2 + 1, n - rng.randint(0, 2))
    election_id = run.writer.new_id(LeaderElection)
    outcome = LeaderElection.Outcome.FAILED if fail else LeaderElection.Outcome.PASSED
    reason = f"到会{present}人，未超过应到{n}人的半数" if fail else ""
    row = (election_id, group.id, day, n, present, outcome, reason, RULES_TEXT, notes, None, at(day, 10))
    run.writer.add(LeaderElection, row)
    return election_id, present


def _candidates(run: Run, rng: random.Random, election: tuple[int, int], people, *, elected: bool = True) -> None:
    election_id, present = election
    for member, office in people:
        votes = present - rng.randint(0, (present - 1) // 2) if elected else present
        run.writer.add(
            ElectionCandidate, (run.writer.new_id(ElectionCandidate), election_id, member.id, office, votes, elected)
        )


COLUMNS = {
    County: "id name",
    Township: "id county name committee_name",
    Village: "id township name branch_name secretary_name leaders_may_report",
    Assignment: "id user role county township village party_group",
    VillagerGroup: "id village number name households population",
    PartyGroup: "id village name established_on dissolved_on",
    Coverage: "id party_group villager_group started_on ended_on",
    PartyMember: "id village name sex birth_date id_number id_number_hash masked_id_number "
    "phone phone_hash masked_phone joined_on status is_former_cadre is_old_member is_shuangdai left_on notes",
    LeaderElection: "id party_group held_on members_entitled members_present outcome failure_reason rules notes "
    "recorded_by recorded_at",
    ElectionCandidate: "id election member office votes elected",
    GroupPost: "id party_group member role seat started_on ended_on election",
}
USER_COLUMNS = "id password username first_name is_staff is_active date_joined"
