"""The masked copies of ID and phone numbers kept beside the encrypted ones (core.fields.MaskedCopyField): always
the one mask of the number the member has now, whichever way the member was saved, and what the roster writes, so
that a roster of a whole province is written without decrypting a number."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from openpyxl import load_workbook

from core import fields
from groups.roster.exporting import roster_write
from members.models import PartyMember
from tests.factories import PartyMemberFactory, VillageFactory, make_id_number
from township.models import Village

pytestmark = pytest.mark.django_db


def test_a_saved_member_keeps_the_masks_of_their_numbers():
    member = PartyMemberFactory(phone="13812345678")
    fresh = PartyMember.objects.get(pk=member.pk)
    assert fresh.masked_id_number == f"{member.id_number[0]}{'*' * 16}{member.id_number[-1]}"
    assert fresh.masked_phone == "138****5678"


def test_changing_or_clearing_a_number_changes_its_mask():
    member = PartyMemberFactory(phone="13812345678")
    member.phone = "13900001111"
    member.id_number = make_id_number(member.birth_date, member.sex, 49_999)
    member.save()
    fresh = PartyMember.objects.get(pk=member.pk)
    assert (fresh.masked_id_number, fresh.masked_phone) == (fields.mask_id_number(member.id_number), "139****1111")
    member.phone = ""
    member.save()
    assert PartyMember.objects.get(pk=member.pk).masked_phone == ""


def test_bulk_created_members_get_their_masks_too():
    village = VillageFactory()
    built = PartyMemberFactory.build(village=village, phone="13512345678")
    PartyMember.objects.bulk_create([built])
    stored = PartyMember.objects.get(village=village)
    assert (stored.masked_id_number, stored.masked_phone) == (fields.mask_id_number(stored.id_number), "135****5678")


def test_the_migration_fills_the_masks_of_members_already_on_record():
    members = [PartyMemberFactory(phone="13812345678"), PartyMemberFactory(phone="")]
    PartyMember.objects.update(masked_id_number="", masked_phone="")  # as the rows were before the migration
    migration = importlib.import_module("members.migrations.0008_masked_numbers")
    migration.fill(apps, None)
    for member in members:
        fresh = PartyMember.objects.get(pk=member.pk)
        assert fresh.masked_id_number == fields.mask_id_number(member.id_number)
        assert fresh.masked_phone == fields.mask_phone(member.phone)


def test_the_roster_decrypts_no_number(monkeypatch):
    member = PartyMemberFactory(phone="13812345678")

    def refuse(*args, **kwargs):
        raise AssertionError("the roster decrypted a number")

    monkeypatch.setattr(fields.EncryptedTextField, "from_db_value", refuse)
    out = io.BytesIO()
    assert roster_write(Village.objects.filter(pk=member.village_id), out) == 1
    cells = [c for row in load_workbook(out).active.iter_rows(values_only=True) for c in row]
    assert fields.mask_id_number(member.id_number) in cells and "138****5678" in cells
    assert member.id_number not in cells and "13812345678" not in cells
