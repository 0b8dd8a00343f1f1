"""Names, ID numbers and phone numbers for generated data: plausible, deterministic, unique where the schema says so.

Person names come from the demo's lists (seeding.demo.build), so generated villages read like the surveyed one. Place
names are two characters from two lists plus 县/乡/镇/村; township names are unique across a run (a township can be
named on the command line, e.g. `export_award_report --township …`), village names within their township.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable

from core.fields import lookup_hash
from members.validators import id_check_digit
from seeding.demo.build import GIVEN_F, GIVEN_M, SURNAMES

COUNTY_FIRST = "嘉仪南营蓬西阆岳武邻开宣万通平巴恩剑苍旺青朝广华"
COUNTY_SECOND = "陵陇部山安充中池胜水江汉源川昌阳阁溪元"
PLACE_FIRST = "金双白青石桂柏河新观马龙凤黄高长大东西南北清永安太宝兴福天云花梅松竹桃柳杨李张罗唐谢祝复顺和"
PLACE_SECOND = "溪河鹤龙门花林坝桥音鞍山坪岭湾滩口场寺垭沟塘堰坡庙田"


def _pairs(first: str, second: str, suffix: str) -> list[str]:
    return [a + b + suffix for a in first for b in second if a != b]


def county_names(rng: random.Random, n: int, taken: Iterable[str] = ()) -> list[str]:
    """n county names not in `taken`, in a seeded order."""
    return _pick(rng, _pairs(COUNTY_FIRST, COUNTY_SECOND, "县"), n, taken)


def township_names(rng: random.Random, n: int, taken: Iterable[str] = ()) -> list[str]:
    """n township names (乡, some 镇), unique across the run and not in `taken`."""
    pool = _pairs(PLACE_FIRST, PLACE_SECOND, "乡") + _pairs(PLACE_FIRST[::3], PLACE_SECOND[::2], "镇")
    return _pick(rng, pool, n, taken)


def village_names(rng: random.Random, n: int) -> list[str]:
    return rng.sample(_pairs(PLACE_FIRST, PLACE_SECOND, "村"), n)


def _pick(rng: random.Random, pool: list[str], n: int, taken: Iterable[str]) -> list[str]:
    taken = set(taken)
    pool = [name for name in pool if name not in taken]
    if n > len(pool):
        # beyond the two-character names: number them, still unique
        pool += [f"{pool[i % len(pool)][:-1]}{i // len(pool) + 1}{pool[i % len(pool)][-1]}" for i in range(n)]
    rng.shuffle(pool)
    return pool[:n]


def person_name(rng: random.Random, sex: str) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_M if sex == "M" else GIVEN_F)


class Identities:
    """Resident ID numbers (GB 11643: region, birth date, sequence with the sex in its parity, check character) and
    mobile numbers, never repeated within a county nor (ID numbers) equal to one already on record (checked by its
    keyed hash). An ID number starts with its county's region code, so none repeats across the run either; a mobile
    number may, rarely, in two counties (the schema does not ask them unique; people do share a phone)."""

    def __init__(self, taken_hashes: Iterable[str] = ()):
        self.ids: set[str] = set()
        self.phones: set[str] = set()
        self.taken = set(taken_hashes)

    def id_number(self, rng: random.Random, region: str, born: datetime.date, sex: str) -> str:
        odd = sex == "M"
        while True:
            seq = rng.randrange(0, 100) * 10 + rng.randrange(0, 5) * 2 + (1 if odd else 0)
            first17 = f"{region}{born:%Y%m%d}{seq:03d}"
            value = first17 + id_check_digit(first17)
            if value not in self.ids and (not self.taken or lookup_hash(value) not in self.taken):
                self.ids.add(value)
                return value

    def phone(self, rng: random.Random) -> str:
        while True:
            value = rng.choice(("138", "139", "158", "177", "181", "199")) + f"{rng.randrange(10**8):08d}"
            if value not in self.phones:
                self.phones.add(value)
                return value


def region_code(county_number: int) -> str:
    """A six-digit administrative code per county (51 = 四川, 13 = 南充-like prefecture, then the county, 21–99: so a
    prefecture holds 79 counties and the 80th starts the next; the codes of the first 79 are as they always were)."""
    return f"51{13 + county_number // 79:02d}{21 + county_number % 79:02d}"
