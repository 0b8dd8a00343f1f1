"""An empty required field says which field and what to do ("请填写议题。", "请选择村民小组。"), beside the field,
on every form: Django's own "这个字段是必填项。" said nothing about which of ten fields was meant (core/required.py)."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from tests.activity.test_concern_views import new_concern_data


class Meeting(forms.Form):
    topic = forms.CharField(label="议题")
    villager_group = forms.ChoiceField(label="村民小组", choices=[("1", "一社")])
    agreed = forms.BooleanField(label="已公示")
    payee = forms.CharField(label="收款人：")
    place = forms.CharField(label="地点", error_messages={"required": "请写明在哪里开的会。"})
    note = forms.CharField(label="备注", required=False)


def test_each_empty_required_field_names_itself_and_keeps_the_code():
    form = Meeting(data={})
    assert not form.is_valid()
    assert form.errors == {
        "topic": ["请填写议题。"],
        "villager_group": ["请选择村民小组。"],
        "agreed": ["请勾选“已公示”。"],
        "payee": ["请填写收款人。"],
        "place": ["请写明在哪里开的会。"],  # a field's own message is kept
    }
    assert {e.code for errors in form.errors.as_data().values() for e in errors} == {"required"}


def test_the_concern_form_sent_empty_says_what_is_missing_beside_each_field(org, secretary_a1, login):
    client = login(secretary_a1)
    data = new_concern_data(org.a1_vgs[0], org.a1_g1_members[0], content="", villager_group="")
    response = client.post(reverse("concerns:new"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["content"][0].startswith("请填写") and errors["villager_group"][0].startswith("请选择")
    page = response.content.decode()
    assert "这个字段是必填项" not in page
    assert errors["content"][0] in page and "张大爷" in page  # beside the field, with what was typed kept
