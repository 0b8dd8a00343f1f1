"""The evidence beside each ranked party group is written by `award_evidence.group_evidence` in one step per group
(the ranking page's speed, issue 18); it must say exactly what the template `_evidence.html` says, in every case the
numbers can take and in both languages. The page itself is read in tests/appraisal/test_award_views.py."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from appraisal.awards.services import GroupCandidate

RUBRIC = [(Decimal("0"), Decimal("0")), (Decimal("37.25"), Decimal("40")), (Decimal("100"), Decimal("100"))]
SPOTS = [
    *[(0, None, 0), (1, Decimal("85.5"), 0), (1, Decimal("52"), 1)],
    *[(3, Decimal("71.33"), 2), (1234, Decimal("9"), 1000)],  # a thousand: as the template localises it
]
TAG = Template("{% load award_evidence %}{% group_evidence c %}")


def _candidate(rubric, spots) -> GroupCandidate:
    (points, maximum), (n, average, poor) = rubric, spots
    return GroupCandidate(None, None, points, maximum, n, average, poor)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_written_evidence_is_the_templates_word_for_word(language):
    with translation.override(language):
        for rubric, spots in itertools.product(RUBRIC, SPOTS):
            c = _candidate(rubric, spots)
            expected = render_to_string("appraisal/awards/_evidence.html", {"kind": "advanced_group", "c": c})
            assert TAG.render(Context({"c": c})) == expected.strip(), (rubric, spots)


def test_it_reads_as_the_township_expects():
    with translation.override("zh-hans"):
        text = TAG.render(Context({"c": _candidate(RUBRIC[1], SPOTS[3])}))
    assert "37.2" in text or "37.3" in text  # one decimal, as the template's floatformat writes it
    assert "40.0" in text and "71.33" in text and '<span class="warn">' in text
    assert "<br>" in text and "&lt;" not in text  # the line break is markup, not escaped text


def test_a_leaders_evidence_reads_as_one_chinese_sentence():
    """优秀党小组长: the group led and since when, or from when to when, with Chinese punctuation."""
    import datetime
    from types import SimpleNamespace

    group = SimpleNamespace(name="罗紫一二社党小组")
    serving = SimpleNamespace(
        party_group=group, led_from=datetime.date(2021, 12, 20), led_until=None, serving_at_year_end=True, days_led=365
    )
    left = SimpleNamespace(
        party_group=group,
        led_from=datetime.date(2025, 1, 15),
        led_until=datetime.date(2025, 9, 1),
        serving_at_year_end=False,
        days_led=229,
    )

    def evidence(c, language):
        with translation.override(language):
            return render_to_string("appraisal/awards/_evidence.html", {"kind": "excellent_leader", "c": c}).strip()

    assert evidence(serving, "zh-hans") == "罗紫一二社党小组组长，自2021年12月20日起"
    assert evidence(left, "zh-hans") == (
        '罗紫一二社党小组组长，2025年1月15日至2025年9月1日<br><span class="muted">本年度担任组长229天</span>'
    )
    assert evidence(serving, "en") == "leader of 罗紫一二社党小组, since 2021年12月20日"
