"""The dues workbooks, in the print layout every export shares (`core.xlsx.PrintTable`: title, issuing unit and the
date made, headers repeated on every printed page, totals, the total in Chinese capitals, signature lines, A4 one
page wide, "第 N 页 共 M 页" in the footer): 党费收缴登记表 of a branch's year, the township's remittance summary, and
a branch's arrears list."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from core.xlsx import CODE, MONEY, SIGN, Col, PrintTable, date_text
from dues.selectors import Arrear, Book, BranchYear

SIGN_GAP = "　" * 8


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
    """党费收缴登记表: one row per member — category, base, rate, monthly amount, each month paid, totals, and a box
    for the member's signature; under it the year's total in capitals and the signatures."""
    wb = Workbook()
    columns = [
        Col("序号", 5, "int"),
        Col("姓名", 9),
        Col("类别", 8),
        Col("基数（元）", 11, MONEY),
        Col("比例", 6, CODE),
        Col("月交额（元）", 10, MONEY),
        *[Col(f"{m}月", 9, MONEY) for m in range(1, 13)],
        Col("应交合计", 11, MONEY),
        Col("实交合计", 11, MONEY),
        Col("自愿多交", 10, MONEY),
        Col("本人签名", 10, SIGN),
    ]
    cycle = "按季" if book.frequency == "quarterly" else "按月"
    branch = book.village.branch_title
    table = PrintTable(
        wb.active,
        columns,
        title=f"{branch}{book.year}年度党费收缴登记表",
        info=f"{township_name} {book.village.name}党支部　　收缴周期：{cycle}　　单位：元",
        name=f"{book.year}年党费收缴登记表",
        landscape=True,
    )
    for n, r in enumerate(book.rows, start=1):
        months = [
            "—" if not cell.member else (cell.paid + cell.voluntary if cell.paid or cell.voluntary else None)
            for cell in r.cells
        ]
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
    totals.update({19: book.due_total, 20: book.paid_total, 21: book.voluntary_total})
    table.totals(totals, label="合计", label_column=2)
    table.capital(book.paid_total + book.voluntary_total, label="全年实收党费合计（大写）")
    table.line(f"支部书记（签名）：{SIGN_GAP}收缴人（签名）：{SIGN_GAP}", gap=1)
    table.signatures()
    table.finish()
    return _save(wb)


def remittance_workbook(township, year: int, branches: list[BranchYear]) -> bytes:
    """The township's remittance summary: each branch × each period, with the branch's, the period's and the year's
    totals; "逾期" where a period's remittance is overdue."""
    wb = Workbook()
    labels = [p.label.replace(f"{year}年", "") for p in branches[0].periods] if branches else []
    columns = [Col("村党支部", 12), *[Col(label, 10, MONEY) for label in labels]]
    columns += [Col("全年收缴", 12, MONEY), Col("全年上缴", 12, MONEY), Col("逾期次数", 7, "int")]
    committee = township.committee_name or f"中共{township.name}委员会"
    table = PrintTable(
        wb.active,
        columns,
        title=f"{township.name}{year}年度党费上缴汇总表",
        info=f"{committee}　　单位：元；空白为未上缴，“逾期”为过了上缴期限仍未上缴或迟交。",
        name=f"{year}年党费上缴汇总",
        landscape=True,
    )
    for b in branches:
        cells = [p.remittance.amount if p.remittance else ("逾期" if p.late else None) for p in b.periods]
        table.add([b.village.name, *cells, b.collected_total, b.remitted_total, b.late_count])
    n = len(labels)
    totals = {
        2 + i: sum((b.periods[i].remittance.amount for b in branches if b.periods[i].remittance), 0) for i in range(n)
    }
    remitted = sum((b.remitted_total for b in branches), 0)
    totals.update({2 + n: sum((b.collected_total for b in branches), 0), 3 + n: remitted})
    table.totals(totals)
    table.capital(remitted, label="全年上缴合计（大写）")
    table.line(f"经办人（签名）：{SIGN_GAP}组织委员（签名）：{SIGN_GAP}", gap=1)
    table.signatures()
    table.finish()
    return _save(wb)


def month_runs(months) -> str:
    """Months written as runs, so a long list never breaks inside a date: 2025年12月、2026年5月至11月."""
    runs: list[list] = []
    for m in sorted(months):
        last = runs[-1][-1] if runs else None
        if last is not None and (m.year * 12 + m.month) - (last.year * 12 + last.month) == 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    parts = []
    for run in runs:
        first, last = run[0], run[-1]
        if first == last:
            parts.append(f"{first.year}年{first.month}月")
        elif first.year == last.year:
            parts.append(f"{first.year}年{first.month}月至{last.month}月")
        else:
            parts.append(f"{first.year}年{first.month}月至{last.year}年{last.month}月")
    return "、".join(parts)


def arrears_workbook(village, arrears: list[Arrear], as_of) -> bytes:
    """The arrears list: whom each group leader reminds, and who goes to the branch committee."""
    wb = Workbook()
    columns = [
        Col("序号", 5, "int"),
        Col("姓名", 10),
        Col("所在党小组", 16),
        Col("党小组长", 10),
        Col("连续欠交月数", 10, "int"),
        Col("欠交月份", 34),
        Col("欠交金额（元）", 12, MONEY),
        Col("处理", 14),
    ]
    rule = "连续3个月未交由党小组长提醒，连续6个月未交且无正当理由报支委会研究（党章第九条）。"
    table = PrintTable(
        wb.active,
        columns,
        title=f"{village.name}党支部党费欠交名单",
        info=f"截至{date_text(as_of)}（欠交计到上月）；{rule}",
        name="党费欠交名单",
        landscape=True,
    )
    for n, a in enumerate(arrears, start=1):
        table.add(
            [
                n,
                a.member.name,
                a.party_group,
                a.leader,
                a.in_a_row,
                month_runs(a.unpaid_months),
                a.owed,
                "报支委会研究" if a.flagged else "党小组长提醒",
            ]
        )
    owed = sum((a.owed for a in arrears), 0)
    table.totals({7: owed}, label=f"合计 {len(arrears)} 人", label_column=2)
    table.capital(owed, label="欠交金额合计（大写）")
    table.line(f"支部书记（签名）：{SIGN_GAP}", gap=1)
    table.signatures()
    table.finish()
    return _save(wb)
