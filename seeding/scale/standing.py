"""Standing (党籍) and members working away (流动党员) for one generated township, as `groups.standing.services` and
`members.away.services` record them.

- The history of the members who joined in the ten years before the groups were set up: 入党 (预备党员) and 转正 a
  year later, now and then after a probation extended by half a year; all of it before the groups were set up, so
  every member is a full member throughout the years generated (the other stages read them so).
- A few former members per township, in no group: deceased or transferred out before the groups were set up, and
  one in four villages a member whose standing was suspended (停止党籍) and is not restored. They owe no dues and
  appear in none of the years' records.
- Members working away: each village's member in no group (外出务工) has an open spell since before the groups were
  set up; about one grouped member in thirty has a spell in the years generated, some back already. The branch's
  contact person keeps a contact log every month or two; one spell in eight has lost touch (失联) for half a year.
"""

from __future__ import annotations

import datetime
import random

from core import periods
from core.fields import fernet
from members.away.models import AwayContact, AwaySpell
from members.models import PartyMember
from members.standing.models import StandingChange
from members.standing.selectors import PROBATION_YEARS
from seeding.scale.org import People
from seeding.scale.plan import Member, Run, Town, VillagePlan, at

Kind = StandingChange.Kind
State = PartyMember.Status
DAY = datetime.timedelta(days=1)
HISTORY_YEARS = 10

JOINED_DECISION = "支部大会决议，乡党委审批"
CONFIRMED_DECISION = "支部大会讨论通过，乡党委审批"
EXTENDED_DECISION = "支部大会决议延长预备期半年，乡党委审批"
SUSPENDED_DECISION = "支部大会决议，乡党委批准"
TRANSFER_TO = [
    "中共成都市武侯区某街道工作委员会",
    "中共广州市白云区某街道工作委员会",
    "中共南充市顺庆区某社区委员会",
    "中共重庆市渝北区某街道工作委员会",
]
# (province, city, workplaces)
PLACES = [
    ("四川省", "成都市", ["武侯区某建筑工地", "双流区某物流园", "郫都区某蔬菜基地", "成华区某餐饮店"]),
    ("广东省", "广州市", ["白云区某电子厂", "番禺区某服装厂", "花都区某汽配厂"]),
    ("广东省", "东莞市", ["长安镇某五金厂", "虎门镇某服装厂"]),
    ("浙江省", "宁波市", ["北仑区某港口物流公司", "慈溪市某家电厂"]),
    ("新疆维吾尔自治区", "昌吉回族自治州", ["呼图壁县某棉花农场（季节性采摘）", "玛纳斯县某农机合作社"]),
    ("重庆市", "重庆市", ["渝北区某建筑公司项目部", "江北区某汽车配件厂"]),
]
CONTACTS = [
    (AwayContact.How.WECHAT, "微信传达本月主题党日内容，本人已学习并在群里发言。"),
    (AwayContact.How.PHONE, "电话了解务工和身体情况，提醒按时交纳党费。"),
    (AwayContact.How.WECHAT, "微信发送支部学习材料，本人回复已学习。"),
    (AwayContact.How.VISIT, "春节返乡时当面交流，参加了支部组织生活会。"),
]
REMOTE = "支部微信群参加主题党日"


def write_standing(run: Run, town: Town) -> None:
    rng = run.rng_for(town.number, "standing")
    for k, village in enumerate(town.villages):
        _histories(run, rng, town, village)
        _former(run, rng, town, village, suspended=k % 4 == 1)
        _away(run, rng, village)


def _change(run: Run, village: VillagePlan, member_id: int, kind: str, on, before, after, **extra) -> None:
    w = run.writer
    row = (
        w.new_id(StandingChange), member_id, kind, on, before, after, extra.get("decision", ""),
        extra.get("document_no", ""), extra.get("organisation", ""), extra.get("letter_no", ""),
        extra.get("probation_until"), extra.get("notes", ""), village.secretary_id, at(on, 16),
    )  # fmt: skip
    w.add(StandingChange, row)


def _document(town: Town, day: datetime.date, n: int) -> str:
    return f"{town.name[0]}委组〔{day.year}〕{n}号"


def _histories(run: Run, rng: random.Random, town: Town, village: VillagePlan) -> None:
    """入党 and 转正 (a few after an extension) of the members who joined in the ten years before the groups."""
    established = run.calendar.established
    since = datetime.date(established.year - HISTORY_YEARS, 1, 1)
    for m in village.members:
        first_due = periods.add_years(m.joined, PROBATION_YEARS)
        if m.joined < since or first_due > established:
            continue  # joined before the register was kept, or confirmed after the groups were set up (unrecorded)
        _change(
            run, village, m.id, Kind.JOINED, m.joined, State.LEFT, State.PROBATIONARY,
            decision=JOINED_DECISION, probation_until=first_due,
        )  # fmt: skip
        confirmed = first_due
        if rng.random() < 0.04:
            extended = periods.add_months(first_due, 6)
            if extended <= established:
                _change(
                    run, village, m.id, Kind.EXTENDED, first_due, State.PROBATIONARY, State.PROBATIONARY,
                    decision=EXTENDED_DECISION, probation_until=extended,
                    document_no=_document(town, first_due, rng.randint(3, 40)),
                )  # fmt: skip
                confirmed = extended
        _change(
            run, village, m.id, Kind.CONFIRMED, confirmed, State.PROBATIONARY, State.FULL,
            decision=CONFIRMED_DECISION, document_no=_document(town, confirmed, rng.randint(3, 40)),
        )  # fmt: skip


def _former(run: Run, rng: random.Random, town: Town, village: VillagePlan, *, suspended: bool) -> None:
    """Zero to two members who left (去世, 转出) before the groups were set up, and maybe one suspended (停止党籍)."""
    established = run.calendar.established
    people = People(run, rng, town, village)
    kinds = [rng.choice((Kind.DIED, Kind.DIED, Kind.TRANSFER_OUT)) for _ in range(rng.choice((0, 1, 1, 2)))]
    if suspended:
        kinds.append(Kind.SUSPENDED)
    for kind in kinds:
        m = people.member(old=kind == Kind.DIED, listed=False)
        low = max(periods.add_years(m.joined, 2), periods.add_years(established, -6))
        high = established - 10 * DAY
        on = high if low >= high else low + (high - low) * rng.random() // DAY * DAY
        if kind == Kind.SUSPENDED:
            after = State.SUSPENDED
            extra = {
                "decision": SUSPENDED_DECISION,
                "document_no": _document(town, on, rng.randint(3, 40)),
                "notes": "外出务工后与党组织失去联系超过六个月",
            }
        elif kind == Kind.DIED:
            after, extra = State.LEFT, {"notes": "因病去世"}
        else:
            after = State.LEFT
            extra = {
                "organisation": rng.choice(TRANSFER_TO),
                "letter_no": f"{town.name[0]}组转〔{on.year}〕{rng.randint(1, 30)}号",
                "decision": "本人在外地长期稳定就业，申请转移组织关系",
            }
        _change(run, village, m.id, kind, on, State.FULL, after, **extra)
        people.set_standing(m, after, on if after == State.LEFT else None)
        village.former.append((m, after, on))
    people.write()


def _away(run: Run, rng: random.Random, village: VillagePlan) -> None:
    cal = run.calendar
    grouped = {m.id for g in village.groups for m in g.members}
    contact = village.groups[0].members[0] if village.groups else None
    for m in village.members:
        if m.id not in grouped:  # working away, in no group, since before the groups were set up
            since = max(m.joined + 30 * DAY, cal.established - rng.randint(30, 900) * DAY)
            _spell(run, rng, village, m, contact, since, None)
        elif rng.random() < 1 / 30:
            since = cal.months[0] + rng.randint(0, (cal.today - cal.months[0]).days) * DAY
            back = since + rng.randint(60, 400) * DAY if rng.random() < 0.35 else None
            _spell(run, rng, village, m, contact, since, back if back and back <= cal.today else None)


def _spell(run: Run, rng: random.Random, village: VillagePlan, m: Member, contact, since, returned_on) -> None:
    w, today = run.writer, run.calendar.today
    province, city, places = rng.choice(PLACES)
    phone = run.identities.phone(rng) if rng.random() < 0.85 else ""
    spell_id = w.new_id(AwaySpell)
    contact_id = contact.id if contact is not None and contact.id != m.id else None
    w.add(
        AwaySpell,
        (
            spell_id, m.id, province, city, rng.choice(places), rng.random() < 0.5, since, returned_on,
            fernet().encrypt(phone.encode()).decode() if phone else "", contact_id, REMOTE, village.secretary_id,
            at(since, 15),
        ),
    )  # fmt: skip
    end = returned_on or today
    lost = returned_on is None and rng.random() < 1 / 8  # 失联: no contact in the last half year
    if lost:
        end = min(end, today - rng.randint(190, 300) * DAY)
    day = since + rng.randint(5, 40) * DAY
    while day <= end:
        how, what = CONTACTS[rng.randrange(len(CONTACTS))]
        w.add(AwayContact, (w.new_id(AwayContact), spell_id, day, how, what, village.secretary_id))
        day += rng.randint(25, 75) * DAY


COLUMNS = {
    StandingChange: "id member kind on state_before state_after decision document_no organisation letter_no "
    "probation_until notes recorded_by recorded_at",
    AwaySpell: "id member province city workplace fixed_workplace since returned_on phone contact_person "
    "remote_participation recorded_by recorded_at",
    AwayContact: "id spell on how what recorded_by",
}
