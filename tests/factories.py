"""Factories for the org tree, members and accounts.

Interesting states (posts, coverage, elections) are reached through `groups.services`, not through factories: see
`conftest.py` and the `join`/`cover`/`elect` helpers below.
"""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model

from groups.models import PartyGroup, VillagerGroup
from groups.services import CandidateVotes, coverage_assign, election_record, member_join_group
from members.models import PartyMember
from members.validators import id_check_digit
from township.models import Assignment, County, Township, Village

FOUNDED = datetime.date(2023, 1, 1)


def make_id_number(birth_date: datetime.date, sex: str, n: int) -> str:
    """A valid 18-character ID number (GB 11643) for this birth date and sex, distinct for each n < 50,000."""
    region = f"51{(n // 500) % 100:02d}23"
    order = (n % 500) * 2 + (1 if sex == PartyMember.Sex.MALE else 0)  # 17th digit: odd for men, even for women
    first17 = f"{region}{birth_date:%Y%m%d}{order:03d}"
    return first17 + id_check_digit(first17)


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"县{n}")


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"乡{n}")
    committee_name = factory.LazyAttribute(lambda o: f"中共{o.name}委员会")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"村{n}")
    branch_name = factory.LazyAttribute(lambda o: f"中共{o.name}支部委员会")
    secretary_name = factory.Sequence(lambda n: f"书记{n}")


class VillagerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VillagerGroup

    village = factory.SubFactory(VillageFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"{o.number}社")
    households = 40
    population = 150


class PartyGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyGroup

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"第{n}党小组")
    established_on = FOUNDED


class PartyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyMember

    class Params:
        seq = factory.Sequence(lambda n: n)

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"党员{n:04d}")
    sex = factory.Sequence(lambda n: PartyMember.Sex.MALE if n % 3 else PartyMember.Sex.FEMALE)
    birth_date = factory.LazyAttribute(
        lambda o: datetime.date(1950, 1, 1) + datetime.timedelta(days=(o.seq * 53) % 14000)
    )
    id_number = factory.LazyAttribute(lambda o: make_id_number(o.birth_date, o.sex, o.seq))
    phone = factory.LazyAttribute(lambda o: f"139{o.seq:08d}")
    joined_on = factory.LazyAttribute(lambda o: o.birth_date.replace(year=o.birth_date.year + 25, day=1))
    status = PartyMember.Status.FULL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda o: o.username)
    is_staff = False
    is_active = True
    password = factory.django.Password(None)  # unusable: tests log in with force_login, no slow hashing


def assign(user, role: str, **scope) -> Assignment:
    """Give an account its role and scope (county, township, village or party_group)."""
    return Assignment.objects.create(user=user, role=role, **scope)


# --- States reached through the real services -------------------------------------------------------------------


def join(members, group, on: datetime.date = FOUNDED):
    for m in members:
        member_join_group(member=m, party_group=group, started_on=on)


def leave(member, on: datetime.date, kind: str = "transfer_out"):
    """The member leaves the branch on `on` (transferred out by default), through the standing history."""
    from groups.standing.services import standing_record

    extra = {"organisation": "中共成都市武侯区某党支部", "letter_no": "转字第001号"} if kind == "transfer_out" else {}
    standing_record(member=member, kind=kind, on=on, decision="支部大会决议", acting_user=None, **extra)
    member.refresh_from_db()
    return member


def suspend(member, on: datetime.date, restored_on: datetime.date | None = None):
    """The member's membership is suspended (停止党籍) on `on`, and restored on `restored_on` if given."""
    from groups.standing.services import standing_record

    standing_record(member=member, kind="suspended", on=on, decision="乡党委批复", acting_user=None)
    if restored_on is not None:
        standing_record(member=member, kind="restored", on=restored_on, decision="乡党委批复", acting_user=None)
    member.refresh_from_db()
    return member


def cover(group, villager_groups, on: datetime.date = FOUNDED):
    for vg in villager_groups:
        coverage_assign(party_group=group, villager_group=vg, started_on=on)


def elect(group, held_on, present, leader, deputies=(), *, votes=None):
    """Record an election in which `leader` and `deputies` each receive `votes` (default: everyone present)."""
    votes = present if votes is None else votes
    candidates = [CandidateVotes(member=leader, office="leader", votes=votes)]
    candidates += [CandidateVotes(member=d, office="deputy", votes=votes) for d in deputies]
    return election_record(party_group=group, held_on=held_on, members_present=present, candidates=candidates)


def grow_township(township, n_villages: int, *, prefix: str = "扩展") -> list[Village]:
    """More rows of every kind in a township: villages with villager groups, a party group, members and a leader."""
    villages = []
    for i in range(n_villages):
        v = VillageFactory(township=township, name=f"{prefix}{i}村")
        vgs = [VillagerGroupFactory(village=v, number=k, name=f"{k}社") for k in (1, 2, 3)]
        group = PartyGroupFactory(village=v, name=f"{prefix}{i}党小组")
        members = PartyMemberFactory.create_batch(4, village=v, is_old_member=True)
        join(members, group)
        cover(group, vgs[:2])
        elect(group, datetime.date(2024, 3, 1), 4, members[0], [members[1]])
        PartyMemberFactory(village=v)  # one member in no party group
        villages.append(v)
    return villages
