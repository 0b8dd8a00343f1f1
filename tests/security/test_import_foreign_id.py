"""Finding 6: the roster import must not tell a secretary that an ID number belongs to a party member elsewhere.

A row whose ID number is a member's in a village outside the importer's reach is refused with the same plain words
whoever it belongs to: the row cannot be imported, and the township staff can help. No village, name, or "already on
record" is said."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import PartyMember
from tests.members.test_import import roster, row

FOREIGN = ["白石党员1", "井阳党员1"]  # another township's village, and a neighbouring village of the same township


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def preview_of(client, data: bytes) -> str:
    client.post(reverse("roster:import"), {"file": SimpleUploadedFile("名册.xlsx", data)})
    return client.get(reverse("roster:import-preview")).content.decode()


@pytest.mark.parametrize("owner", FOREIGN)
def test_a_foreign_members_id_number_gets_only_cannot_import_and_whom_to_ask(client, org, secretary_a1, owner):
    member = PartyMember.objects.get(name=owner)
    client.force_login(secretary_a1)
    page = preview_of(
        client,
        roster(
            [row(name="新来的人", born=member.birth_date, sex=member.get_sex_display(), id_number=member.id_number)]
        ),
    )
    assert "这一行不能导入，请联系乡镇工作人员协助处理。" in page
    for hint in (member.name, member.village.name, "不管理", "已属于", "已有", "转接", "另一", "其他村"):
        assert hint not in page, hint
    assert PartyMember.objects.filter(id_number_hash=member.id_number_hash).count() == 1
