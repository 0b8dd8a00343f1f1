"""A party member's record: encrypted ID and phone, one record per person, dates that agree with the ID number."""

from __future__ import annotations

import datetime

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, connection, transaction

from core import clock
from members.models import PartyMember
from tests.factories import PartyMemberFactory, VillageFactory

pytestmark = pytest.mark.django_db

OLD_KEY = "dGVzdHMtb25seS1rZXktMDEyMzQ1Njc4OWFiY2RlZmc="  # the key pyproject's pytest-env sets


def raw_row(member) -> tuple[str, str]:
    table = connection.ops.quote_name(PartyMember._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number, phone FROM {table} WHERE id = %s", [member.pk])  # noqa: S608
        return cursor.fetchone()


def errors_of(member) -> dict[str, list[str]]:
    """{field: [error codes]} from full_clean."""
    with pytest.raises(ValidationError) as exc:
        member.full_clean()
    return {field: [e.code for e in errs] for field, errs in exc.value.error_dict.items()}


def unsaved(**kwargs) -> PartyMember:
    return PartyMemberFactory.build(village=kwargs.pop("village", None) or VillageFactory(), **kwargs)


def test_it_stores_id_and_phone_numbers_encrypted():
    member = PartyMemberFactory(phone="13812345678")
    raw_id, raw_phone = raw_row(member)
    assert member.id_number not in raw_id
    assert member.id_number[6:14] not in raw_id  # not even the birth date
    assert "13812345678" not in raw_phone
    fresh = PartyMember.objects.get(pk=member.pk)
    assert fresh.id_number == member.id_number
    assert fresh.phone == "13812345678"


def test_it_keeps_a_blank_phone_blank():
    member = PartyMemberFactory(phone="")
    assert raw_row(member)[1] == ""
    assert PartyMember.objects.get(pk=member.pk).phone == ""
    assert PartyMember.objects.get(pk=member.pk).phone_hash is None


def test_it_finds_a_member_by_the_hash_of_the_id_number():
    from core.fields import lookup_hash

    member = PartyMemberFactory()
    assert PartyMember.objects.get(id_number_hash=lookup_hash(member.id_number)) == member
    assert PartyMember.objects.get(id_number_hash=lookup_hash(member.id_number.lower())) == member


def test_it_rejects_a_second_record_with_the_same_id_number_in_full_clean():
    existing = PartyMemberFactory()
    twin = unsaved(
        name="重复",
        birth_date=existing.birth_date,
        sex=existing.sex,
        id_number=existing.id_number,
        joined_on=existing.joined_on,
    )
    assert errors_of(twin) == {"id_number": ["id_duplicate"]}


def test_it_rejects_a_duplicate_id_number_typed_with_spaces_and_full_width_digits():
    existing = PartyMemberFactory()
    typed = " ".join("".join(chr(ord(c) + 0xFEE0) for c in existing.id_number[i : i + 6]) for i in (0, 6, 12))
    twin = unsaved(birth_date=existing.birth_date, sex=existing.sex, id_number=typed, joined_on=existing.joined_on)
    assert errors_of(twin) == {"id_number": ["id_duplicate"]}


def test_it_lets_a_member_keep_their_own_id_number_on_edit():
    member = PartyMemberFactory()
    member.name = "改名"
    member.full_clean()


def test_the_database_refuses_a_duplicate_id_number():
    existing = PartyMemberFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyMemberFactory(birth_date=existing.birth_date, sex=existing.sex, id_number=existing.id_number)


def test_it_rejects_a_birth_date_that_disagrees_with_the_id_number():
    member = unsaved(birth_date=datetime.date(1970, 5, 6))
    member.birth_date = datetime.date(1970, 5, 7)
    assert errors_of(member) == {"birth_date": ["birth_date_mismatch"]}


def test_it_rejects_a_sex_that_disagrees_with_the_id_number():
    member = unsaved(sex=PartyMember.Sex.MALE)
    member.sex = PartyMember.Sex.FEMALE
    assert errors_of(member) == {"sex": ["sex_mismatch"]}


def test_it_reports_a_bad_id_number_once_on_the_field():
    member = unsaved()
    member.id_number = member.id_number[:17] + ("0" if member.id_number[17] != "0" else "1")
    assert errors_of(member) == {"id_number": ["id_check_digit"]}


def test_it_stores_a_full_width_id_number_normalised():
    member = unsaved()
    plain = member.id_number
    member.id_number = "".join(chr(ord(c) + 0xFEE0) for c in plain)
    member.full_clean()
    member.save()
    assert PartyMember.objects.get(pk=member.pk).id_number == plain


def test_it_rejects_joining_before_eighteen():
    born = datetime.date(1980, 6, 15)
    member = unsaved(birth_date=born, joined_on=datetime.date(1998, 6, 14))
    assert errors_of(member) == {"joined_on": ["joined_too_young"]}
    unsaved(birth_date=born, joined_on=datetime.date(1998, 6, 15)).full_clean()


def test_it_rejects_joining_before_birth():
    born = datetime.date(1980, 6, 15)
    member = unsaved(birth_date=born, joined_on=datetime.date(1979, 1, 1))
    assert "joined_before_birth" in errors_of(member)["joined_on"]


def test_it_rejects_joining_in_the_future():
    member = unsaved(joined_on=clock.today() + datetime.timedelta(days=1))
    assert "joined_future" in errors_of(member)["joined_on"]


def test_the_database_refuses_joining_before_birth():
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyMemberFactory(birth_date=datetime.date(1980, 6, 15), joined_on=datetime.date(1980, 6, 15))


def test_the_database_refuses_leaving_before_joining():
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyMemberFactory(joined_on=datetime.date(2010, 1, 1), left_on=datetime.date(2009, 12, 31))


def test_it_masks_id_and_phone_numbers():
    member = PartyMemberFactory.build(id_number="510123198001011234", phone="13812345678")
    assert member.id_number_masked == "5" + "*" * 16 + "4"  # first and last character only
    assert member.phone_masked == "138****5678"
    assert PartyMemberFactory.build(phone="").phone_masked == ""


def test_it_reads_values_written_under_the_old_key_after_rotation(settings):
    member = PartyMemberFactory(phone="13812345678")
    old_raw = raw_row(member)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, OLD_KEY]

    fresh = PartyMember.objects.get(pk=member.pk)
    assert fresh.id_number == member.id_number
    assert fresh.phone == "13812345678"

    fresh.save()  # re-encrypted under the new key
    new_raw = raw_row(fresh)
    assert Fernet(new_key.encode()).decrypt(new_raw[0].encode()).decode() == member.id_number
    assert new_raw != old_raw

    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]  # the old key alone cannot read what the new key wrote
    with pytest.raises(ImproperlyConfigured):
        PartyMember.objects.get(pk=member.pk)


def test_the_factory_makes_members_that_pass_every_check():
    members = PartyMemberFactory.create_batch(12, village=VillageFactory())
    for m in members:
        m.full_clean()
    assert len({m.id_number for m in members}) == 12
