"""The township's list of members working away, by destination city, as a print-ready workbook (core.xlsx): to hand
to each city's 流动党员党组织. Phones are masked, as on the pages."""

from __future__ import annotations

import datetime
from io import BytesIO

from openpyxl import Workbook

from core.xlsx import CODE, Col, PrintTable

SHORT = {"transfer": "建议转移组织关系", "lost": "失联，报支委会"}
COLUMNS = [
    Col("序号", 6, "int"),
    Col("外出城市", 16),
    Col("姓名", 10),
    Col("所在党支部", 14),
    Col("工作单位或务工地点", 26),
    Col("外出日期", 15, "date"),
    Col("外出联系电话", 14, CODE),
    Col("支部联系人", 10),
    Col("最近联系", 15, "date"),
    Col("提示（依据见系统页面）", 20),
]


def away_workbook(township, spells, today: datetime.date) -> bytes:
    """One table, rows ordered by province and city; a city's rows together."""
    wb = Workbook()
    table = PrintTable(
        wb.active,
        COLUMNS,
        title=f"{township.name}流动党员名单（按外出城市）",
        info=township.committee_name or township.name,
        made_on=today,
        name="流动党员",
        landscape=True,
    )
    for n, s in enumerate(spells, start=1):
        table.add(
            [
                n,
                f"{s.province}{s.city}",
                s.member.name,
                s.member.village.name,
                s.workplace + ("（固定）" if s.fixed_workplace else ""),
                s.since,
                s.phone_masked,
                s.contact_person.name if s.contact_person else "",
                s.last_contact,
                "；".join(SHORT[r.code] for r in s.rules),
            ]
        )
    table.totals({3: f"{len(spells)}人"}, label="合计")
    table.signatures()
    table.finish()
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
