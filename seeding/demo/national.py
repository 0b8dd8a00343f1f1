"""The national record's items (members/national.py) for the surveyed township's members, as its 党员基本信息 would
hold them: almost all 汉族 with a few 回族 and 羌族; older members with less schooling and many retired or farming;
younger ones working in firms, trading or away; 转正 a year after joining (to the month for those who joined before
1990, as the old paper records give it); a home address in the member's villager group.

Its own random seed, so the rest of the demo is the same with or without it; filled only where still empty, so
running seed_demo again changes nothing.
"""

from __future__ import annotations

import random

from core import clock, periods
from members import national
from members.models import PartyMember

Category, Education, Precision = national.Category, national.Education, national.Precision
CODE = {name: code for code, name in national.ETHNICITY_CHOICES}
POSTS = {
    Category.FARMER: ("种植户", "养殖户", "果农", "务农"),
    Category.WORKER: ("建筑工人", "电子厂职工", "物流公司职工"),
    Category.SELF_EMPLOYED: ("农家乐经营", "农资店店主", "运输个体户"),
    Category.RETIRED: ("退休教师", "退休职工", "离休干部"),
    Category.TECHNICIAN: ("乡村医生", "农技员"),
    Category.OTHER: ("外出务工", "村公益性岗位"),
}


def _education(rng: random.Random, born_year: int) -> str:
    if born_year < 1955:
        return rng.choice([Education.PRIMARY, Education.PRIMARY, Education.JUNIOR])
    if born_year < 1975:
        return rng.choice([Education.PRIMARY, Education.JUNIOR, Education.JUNIOR, Education.HIGH_SCHOOL])
    later = [Education.JUNIOR, Education.HIGH_SCHOOL, Education.SECONDARY_SPECIALISED, Education.COLLEGE]
    return rng.choice([*later, Education.BACHELOR])


def _category(rng: random.Random, born_year: int) -> str:
    if born_year < 1962:
        return rng.choice([Category.RETIRED, Category.FARMER, Category.FARMER])
    return rng.choice(
        [Category.FARMER, Category.FARMER, Category.WORKER, Category.SELF_EMPLOYED, Category.TECHNICIAN, Category.OTHER]
    )


def fill_national_record(township_name: str) -> int:
    """Fill the national items of the township's members that have none yet; returns how many were filled."""
    rng = random.Random(16)  # noqa: S311 - demo data, not security
    today = clock.today()
    members = list(
        PartyMember.objects.filter(village__township__name=township_name, ethnicity="")
        .select_related("village")
        .order_by("pk")
    )
    for m in members:
        roll = rng.random()
        m.ethnicity = CODE["回族"] if roll < 0.03 else CODE["羌族"] if roll < 0.05 else CODE["汉族"]
        m.education = _education(rng, m.birth_date.year)
        m.category = _category(rng, m.birth_date.year)
        m.work_post = rng.choice(POSTS[m.category])
        m.home_address = f"{m.village.name}{rng.randint(1, 9)}社{rng.randint(1, 60)}号"
        if m.status == PartyMember.Status.FULL:
            due = periods.add_years(m.joined_on, 1)
            if m.joined_on.year < 1990:
                m.full_member_on, m.full_member_on_precision = due.replace(day=1), Precision.MONTH
            else:
                m.full_member_on, m.full_member_on_precision = due, Precision.DAY
            if m.full_member_on > today:
                m.full_member_on, m.full_member_on_precision = None, Precision.DAY
    fields = ["ethnicity", "education", "category", "work_post", "home_address"]
    PartyMember.objects.bulk_update(members, [*fields, "full_member_on", "full_member_on_precision"], batch_size=500)
    return len(members)
