"""Random and extreme values posted to the branch's forms (hypothesis): never a 500, nothing saved from a refused
form, and what was typed is shown again; with the input bounds the forms state (households and people of a villager
group, text lengths, phone numbers written with dashes or spaces, an activity's participants)."""

from __future__ import annotations

import html

import pytest
from django.apps import apps
from django.forms import modelform_factory
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core import clock, periods
from groups.models import MAX_HOUSEHOLDS, MAX_POPULATION, VillagerGroup
from members.forms import PartyMemberForm
from members.validators import normalise_phone

relaxed = settings(
    deadline=None,
    max_examples=20,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

LAST = periods.previous_month(clock.this_month())
EXTREMES = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "99999999999",
        "99,999,999,999",
        "1e309",
        "NaN",
        "１２",
        "<script>alert(1)</script>",
        "x" * 10_000,
        "罗" * 2001,
        "\u202e倒序",
        "2027-02-30",
    ]
)
VALUES = st.one_of(EXTREMES, st.text(max_size=40), st.integers(min_value=-(10**15), max_value=10**15).map(str))


def snapshot() -> dict:
    out = {}
    for label in ("members", "groups", "activity"):
        for model in apps.get_app_config(label).get_models():
            out[model._meta.label] = model.objects.count()
    return out


def _forms(org):
    vg = org.a1_vgs[0]
    day = LAST.replace(day=5)
    return {
        "activity": (
            reverse("activity:activity-new", args=[org.a1_g1.pk, LAST]),
            {
                "version": "0",
                "kind": "visit",
                "held_on": day.isoformat(),
                "participants": [str(org.a1_g1_members[0].pk)],
                "households_reached": "3",
                "non_party_present": "1",
                "content": "走访困难户",
                "outcome": "",
            },
            ("content", "outcome", "households_reached", "non_party_present"),
        ),
        "fund entry": (
            reverse("funds:entry-new", args=[vg.pk]),
            {
                "entry_date": clock.today().isoformat(),
                "direction": "income",
                "amount": "100",
                "category": "subsidy",
                "counterparty": "乡政府",
                "purpose": "运转补助",
                "decision": "",
            },
            ("amount", "counterparty", "purpose"),
        ),
        "concern": (
            reverse("concerns:new"),
            {
                "villager_group": str(vg.pk),
                "raised_through": str(org.a1_g1_members[0].pk),
                "villager_name": "",
                "raised_on": clock.today().isoformat(),
                "category": "infrastructure",
                "content": "机耕道垮塌",
                "handling": "branch",
                "due_on": "",
                "answer": "",
            },
            ("villager_name", "content", "answer"),
        ),
    }


@pytest.mark.parametrize("form_name", ["activity", "fund entry", "concern"])
def test_extreme_values_are_refused_beside_the_field_or_saved_and_never_a_500(form_name, org, secretary_a1, client):
    client.force_login(secretary_a1)
    url, valid, fields = _forms(org)[form_name]

    @relaxed
    @given(field=st.sampled_from(fields), value=VALUES)
    @example(field=fields[0], value="x" * 10_000)
    def check(field, value):
        before = snapshot()
        data = {**valid, field: value}
        if form_name == "activity":
            data["version"] = str(_version(org))
        response = client.post(url, data)
        assert response.status_code in (200, 302), f"{field}={value[:30]!r} answered {response.status_code}"
        if response.status_code == 200:
            assert snapshot() == before, f"a refused form saved something ({field}={value[:30]!r})"
            form = response.context["form"]
            assert form.errors, "a page shown again says what is wrong"
            shown = response.content.decode()
            typed = value.strip()
            if typed and not any(c in typed for c in "\x00\r"):
                assert html.escape(typed)[:200] in shown or typed[:200] in shown, f"{field}: typed input is lost"

    check()


def _version(org) -> int:
    from activity.models import MonthlyReport

    report = MonthlyReport.objects.filter(party_group=org.a1_g1, month=LAST).first()
    return report.version if report else 0


def test_an_activity_needs_a_participant(org, secretary_a1, client):
    client.force_login(secretary_a1)
    url, valid, _fields = _forms(org)["activity"]
    response = client.post(url, {**valid, "participants": []})
    assert response.status_code == 200
    assert "请至少选择一名参加的党员" in response.content.decode()
    assert "走访困难户" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("households", "99999999999", False),
        ("households", str(MAX_HOUSEHOLDS + 1), False),
        ("households", str(MAX_HOUSEHOLDS), True),
        ("population", str(MAX_POPULATION + 1), False),
        ("population", "350", True),
    ],
)
def test_a_villager_groups_households_and_people_are_realistic(org, field, value, ok):
    vg = org.a1_vgs[0]
    Form = modelform_factory(VillagerGroup, fields=["households", "population"])
    data = {"households": "60", "population": "230", field: value}
    form = Form(data, instance=vg)
    assert form.is_valid() is ok
    if not ok:
        assert "一个村民小组不会超过" in " ".join(form.errors.get(field, [])) or form.errors.get(field)


@pytest.mark.parametrize(
    "typed", ["138-0000-1234", "138 0000 1234", "１３８－００００－１２３４", "(0831) 1234567", "0831-1234567"]
)
def test_phone_numbers_with_dashes_or_spaces_are_accepted_and_kept_plain(org, typed):
    form = PartyMemberForm(
        {
            "village": org.a1.pk,
            "name": "新党员",
            "sex": "male",
            "birth_date": "1970-01-01",
            "id_number": "",
            "phone": typed,
            "joined_on": "1995-07-01",
            "status": "full",
        }
    )
    form.is_valid()
    assert "phone" not in form.errors, form.errors
    assert form.cleaned_data["phone"] == normalise_phone(typed)
    assert "-" not in form.cleaned_data["phone"] and " " not in form.cleaned_data["phone"]


def test_a_ten_thousand_character_text_is_refused_beside_the_field(org, secretary_a1, client):
    client.force_login(secretary_a1)
    url, valid, _fields = _forms(org)["fund entry"]
    response = client.post(url, {**valid, "purpose": "x" * 10_000})
    assert response.status_code == 200
    assert response.context["form"].errors["purpose"]

