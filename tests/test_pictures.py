"""The pictures of the township and county pages: the village × month grid of reports (colour and a text mark), the
activities and concerns of the months, fund balances and award counts, each with its numbers in a table."""

from __future__ import annotations

import re

from django.urls import reverse

from tests.clock import months_ago
from tests.test_dashboards import record, submit


def grid_row(html: str, name: str) -> list[tuple[str, str]]:
    """(state, text) of each month's cell in the grid row headed `name`."""
    grid = html.split('class="report-grid"', 1)[1].split("</table>", 1)[0]
    row = re.search(rf'<th scope="row">{name}</th>(.*?)</tr>', grid, re.S).group(1)
    return [(state, text.strip()) for state, text in re.findall(r'<td class="cell (\w+)">([^<]*)</td>', row)]


def test_the_township_grid_marks_each_villages_months(org, township_staff, secretary_a1, secretary_a2, login):
    last = months_ago(1)  # due on the township's due day of this month, which has passed (15 June)
    submit(org.a1_g1, last, secretary_a1)  # one of 罗紫村's two groups
    submit(org.a2_g1, last, secretary_a2)  # 井阳村's only group
    html = login(township_staff).get(reverse("township", args=[org.ta.pk])).content.decode()
    luozi, jingyang = grid_row(html, "罗紫村"), grid_row(html, "井阳村")
    assert len(luozi) == len(jingyang) == 12
    assert luozi[-2] == ("part", "◐ 1/2")  # last month: late, half in
    assert jingyang[-2] == ("full", "✓ 1/1")
    assert luozi[-3] == ("none", "✗ 0/2")  # the month before: none in
    assert luozi[-1] == ("open", "… 0/2")  # this month: not yet due
    assert "白石村" not in html  # another township's village is not on the grid
    assert re.search(r"✓</span> 全部报齐", html)  # the legend says what colour and mark mean


def test_the_months_are_drawn_and_listed_in_a_table(org, township_staff, secretary_a1, login):
    record(org.a1_g1, months_ago(1), secretary_a1, 3)
    html = login(township_staff).get(reverse("township", args=[org.ta.pk])).content.decode()
    assert "近12个月每月登记的党情民意" in html  # the chart's title, inside its svg
    table = html.split("每月活动和党情民意数", 1)[1].split("</table>", 1)[0]
    month = months_ago(1)
    assert re.search(rf'<th scope="row">{month.month}月</th><td class="num">3</td><td class="num">0</td>', table)
    assert "集体经费结余" in html and "获表彰次数" in html


def test_the_county_overview_has_the_grid_by_township(org, county_viewer, secretary_a1, login):
    submit(org.a1_g1, months_ago(1), secretary_a1)
    html = login(county_viewer).get(reverse("county", args=[org.county.pk])).content.decode()
    dong, xi = grid_row(html, "东河乡"), grid_row(html, "西山乡")
    assert dong[-2] == ("part", "◐ 1/3")  # one of 东河乡's three groups
    assert xi[-2] == ("none", "✗ 0/1")
    balances = html.split("集体经费结余表", 1)[1].split("</table>", 1)[0]
    assert "东河乡" in balances and "西山乡" in balances
