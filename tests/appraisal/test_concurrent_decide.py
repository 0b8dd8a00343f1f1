"""Two people deciding the same year at once, each on their own connection (PostgreSQL): the year's row lock makes
the second wait for the first, then see what was decided — one decision is saved, the other is told in Chinese that
the year is already decided (or was decided after they opened the page), and nothing of theirs is written."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import translation

from appraisal.awards.services import award_decide, award_nominate, year_decide
from appraisal.models import AppraisalYear, Award, DecisionRecord
from audit.models import SecurityEvent
from tests.appraisal.test_award_views import year  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections to PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
HOLD = 1.0  # seconds the first keeps its transaction open while the second tries


def race(first, second) -> dict[str, object]:
    """Run `first` in a transaction held open for HOLD seconds and, once it has written, `second` on another
    connection; each answer is "saved" or the ValidationError it got, in Chinese."""
    written = threading.Event()
    answers: dict[str, object] = {}

    def run(name: str, write, hold: bool) -> None:
        try:
            with translation.override("zh-hans"):
                with transaction.atomic():
                    write()
                    if hold:
                        written.set()
                        threading.Event().wait(HOLD)  # the second starts while this transaction is open
                answers[name] = "saved"
        except ValidationError as exc:
            with translation.override("zh-hans"):
                answers[name] = exc
        finally:
            written.set()
            connections.close_all()

    a = threading.Thread(target=run, args=("first", first, True))
    a.start()
    assert written.wait(20)
    b = threading.Thread(target=run, args=("second", second, False))
    b.start()
    a.join(30)
    b.join(30)
    assert not a.is_alive() and not b.is_alive()
    return answers


def test_two_people_locking_the_same_year_at_once_decide_it_once(org, year, township_staff):  # noqa: F811
    award_decide(year=year, awards=[year.a1_award], acting_user=township_staff)
    answers = race(
        lambda: year_decide(year=year, acting_user=township_staff),
        lambda: year_decide(year=year, acting_user=township_staff),
    )
    assert answers["first"] == "saved"
    refused = answers["second"]
    assert isinstance(refused, ValidationError) and refused.code == "locked"
    assert refused.messages == ["2025年度考核已评定并锁定。如需修改，请说明原因后重新打开本年度。"]
    year.refresh_from_db()
    assert year.state == AppraisalYear.State.DECIDED and year.decision_version == 2  # decided (1), locked once (2)
    assert SecurityEvent.objects.filter(action=SecurityEvent.Action.YEAR_DECIDED).count() == 1


def test_two_people_deciding_the_awards_at_once_save_one_decision(org, year, township_staff):  # noqa: F811
    kind = Award.Kind.ADVANCED_GROUP
    other = award_nominate(year=year, kind=kind, party_group=org.a2_g1, reason="调处纠纷", acting_user=township_staff)
    seen = year.decision_version  # both opened the decision page at this version
    answers = race(
        lambda: award_decide(year=year, awards=[year.a1_award], acting_user=township_staff, version=seen),
        lambda: award_decide(
            year=year, awards=[other], reasons={other.pk: "我的选择"}, acting_user=township_staff, version=seen
        ),
    )
    assert answers["first"] == "saved"
    refused = answers["second"]
    assert isinstance(refused, ValidationError) and refused.code == "conflict"
    assert "在您打开页面后" in refused.messages[0] and "保存了本年度的决定" in refused.messages[0]
    assert DecisionRecord.objects.filter(year=year).count() == 1
    assert list(Award.objects.filter(year=year, status=Award.Status.DECIDED)) == [year.a1_award]
