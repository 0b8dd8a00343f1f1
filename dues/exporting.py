"""The dues workbooks, printed through the shared layout of `core/xlsx.py` (`PrintTable`: title, date made, headers on
every page, A4 one page wide, rows as tall as their text, ¥ totals with the amount in capitals, page numbers):
党费收缴登记表 of a branch's year, the township's remittance summary, and a branch's arrears list."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook

from core.xlsx import CODE, MONEY, Col, PrintTable, date_text
from dues.selectors import Arrear, Book, BranchYear

ZERO = Decimal("0")


def _save(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# The register's category column, short enough to print in one line (the pages use the full labels).
SHORT_CATEGORY = {
    "employed": "在职",
    "retired": "离退休",
    "farmer": "农牧渔民",
    "student": "学生",
    "low_income": "低保",
    "hardship": "生活困难",
    "exempt": "免交",
}


def register_workbook(book: Book, *, township_name: str = "") -> bytes:
    """党费收缴登记表: one row per member — category, base, rate, monthly amount, each month paid, total, signature."""
    wb = Workbook()
    columns = [
        Col("序号", 5, "int"), Col("姓名", 10), Col("类别", 11), Col("基数（元）", 11, MONEY), Col("比例", 6, CODE),
        Col("月交额（元）", 11, MONEY),
        *[Col(f"{m}月", 9, MONEY) for m in range(1, 13)],
        Col("应交合计", 12, MONEY), Col("实交合计", 12, MONEY), Col("自愿多交", 10, MONEY), Col("本人签名", 10),
    ]  # fmt: skip
    cycle = "按季" if book.frequency == "quarterly" else "按月"
    table = PrintTable(
        wb.active,
        columns,
        title=f"{book.village.branch_name or book.village.name}{book.year}年度党费收缴登记表",
        info=f"{township_name} {book.village.name}党支部　　　收缴周期：{cycle}　　　单位：元",
        name=f"{book.year}年党费收缴登记表",
    )
    table.ws.freeze_panes = table.ws.cell(row=table.first_row, column=3)
    for n, r in enumerate(book.rows, start=1):
        months = []
        for cell in r.cells:
            if not cell.member:
                months.append("—")
            else:
                months.append(cell.paid + cell.voluntary if cell.paid or cell.voluntary else None)
        table.add(
            [
                n,
                r.member.name,
                SHORT_CATEGORY.get(r.assessment.category, "") if r.assessment else "未核定",
                r.assessment.base if r.assessment else None,
                f"{r.percent.normalize():f}%" if r.percent is not None else "",
                r.monthly,
                *months,
                r.due_total,
                r.paid_total,
                r.voluntary_total,
            ]
        )
    totals = {7 + i: total for i, total in enumerate(book.month_totals)}
    table.totals({**totals, 19: book.due_total, 20: book.paid_total, 21: book.voluntary_total}, label_column=2)
    table.capital(book.paid_total + book.voluntary_total, label="实收合计（大写）")
    table.line("支部书记（签名）：　　　　　　　　收缴人（签名）：　　　　　　　　填表日期：" + date_text(None), gap=1)
    table.finish()
    return _save(wb)


def remittance_workbook(township, year: int, branches: list[BranchYear]) -> bytes:
    """The township's remittance summary: each branch × each period, with the branch's and the period's totals."""
    wb = Workbook()
    labels = [p.label.replace(f"{year}年", "") for p in branches[0].periods] if branches else []
    columns = [
        Col("村党支部", 12),
        *[Col(label, 11, MONEY) for label in labels],
        Col("全年收缴", 12, MONEY),
        Col("全年上缴", 12, MONEY),
        Col("逾期次数", 8, "int"),
    ]
    table = PrintTable(
        wb.active,
        columns,
        title=f"{township.committee_name or township.name}{year}年度党费上缴汇总表",
        info="单位：元；空白为未上缴，“逾期”为未按期上缴。",
        name=f"{year}年党费上缴汇总",
    )
    table.ws.freeze_panes = table.ws.cell(row=table.first_row, column=2)
    for b in branches:
        periods = [p.remittance.amount if p.remittance else ("逾期" if p.late else None) for p in b.periods]
        table.add([b.village.name, *periods, b.collected_total, b.remitted_total, b.late_count])
    totals = {
        2 + i: sum((b.periods[i].remittance.amount for b in branches if b.periods[i].remittance), ZERO)
        for i in range(len(labels))
    }
    remitted = sum((b.remitted_total for b in branches), ZERO)
    totals[2 + len(labels)] = sum((b.collected_total for b in branches), ZERO)
    totals[3 + len(labels)] = remitted
    table.totals(totals)
    table.capital(remitted, label="全年上缴合计（大写）")
    table.line("经办人（签名）：　　　　　　　　组织委员（签名）：　　　　　　　　日期：" + date_text(None), gap=1)
    table.finish()
    return _save(wb)


def arrears_workbook(village, arrears: list[Arrear], as_of) -> bytes:
    """The arrears list: whom each group leader reminds, and who goes to the branch committee."""
    wb = Workbook()
    columns = [
        Col("序号", 5, "int"),
        Col("姓名", 10),
        Col("所在党小组", 18),
        Col("党小组长", 10),
        Col("连续欠交月数", 9, "int"),
        Col("欠交月份", 34),
        Col("欠交金额（元）", 12, MONEY),
        Col("处理", 14),
    ]
    rule = "连续3个月未交由党小组长提醒，连续6个月未交且无正当理由报支委会（党章第九条）。"
    table = PrintTable(
        wb.active,
        columns,
        title=f"{village.name}党支部党费欠交名单",
        info=f"{village.township.name} {village.name}党支部　截至{date_text(as_of)}；{rule}",
        made_on=as_of,
        name="党费欠交名单",
    )
    for n, a in enumerate(arrears, start=1):
        table.add(
            [
                n,
                a.member.name,
                a.party_group,
                a.leader,
                a.in_a_row,
                "、".join(f"{m.year}.{m.month}" for m in a.unpaid_months),
                a.owed,
                "报支委会研究" if a.flagged else "党小组长提醒",
            ]
        )
    owed = sum((a.owed for a in arrears), ZERO)
    table.totals({2: f"共{len(arrears)}人", 7: owed})
    table.capital(owed, label="欠交合计（大写）")
    table.line("支部书记（签名）：　　　　　　　　日期：" + date_text(None), gap=1)
    table.finish()
    return _save(wb)
