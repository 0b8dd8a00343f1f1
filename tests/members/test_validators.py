"""ID numbers (GB 11643) and phone numbers, as people type them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from members.validators import (
    id_birth_date,
    id_check_digit,
    id_sex,
    normalise_id_number,
    validate_id_number,
    validate_phone,
)
from tests.factories import make_id_number


def valid_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


def code_of(validator, value) -> str:
    with pytest.raises(ValidationError) as exc:
        validator(value)
    return exc.value.code


def test_it_accepts_a_real_id_number():
    # The GB 11643 standard's own example: 11010519491231002X.
    validate_id_number("11010519491231002X")
    assert id_birth_date("11010519491231002X") == datetime.date(1949, 12, 31)
    assert id_sex("11010519491231002X") == "F"


def test_it_computes_the_check_digit_of_the_standard_examples():
    assert id_check_digit("11010519491231002") == "X"
    assert id_check_digit("44052418800101001") == "4"


def test_it_accepts_every_number_the_factories_make():
    for n, sex in enumerate(["M", "F"] * 20):
        born = datetime.date(1960, 2, 29) + datetime.timedelta(days=97 * n)
        number = make_id_number(born, sex, n)
        validate_id_number(number)
        assert id_birth_date(number) == born
        assert id_sex(number) == sex


@pytest.mark.parametrize("value", ["51012319800101123", "5101231980010112345", "", "5101"])
def test_it_rejects_a_wrong_length(value):
    assert code_of(validate_id_number, value) == "id_length"


@pytest.mark.parametrize("value", ["51012319800101A234", "5101231980010112Y4", "51012319800101123Y"])
def test_it_rejects_letters_other_than_a_final_x(value):
    assert code_of(validate_id_number, value) == "id_characters"


@pytest.mark.parametrize("birth", ["19800230", "19801301", "18991231", "29990101"])
def test_it_rejects_a_birth_date_that_is_not_real(birth):
    assert code_of(validate_id_number, valid_id(f"510123{birth}123")) == "id_date"


def test_it_rejects_a_wrong_check_digit():
    good = valid_id("51012319800101123")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    assert code_of(validate_id_number, wrong) == "id_check_digit"


def test_it_rejects_a_single_mistyped_digit():
    good = valid_id("51012319800101123")
    typo = good[:3] + str((int(good[3]) + 1) % 10) + good[4:]
    assert code_of(validate_id_number, typo) == "id_check_digit"


def test_it_accepts_a_lower_case_x_check_character():
    first17 = next(f"51012319800101{k:03d}" for k in range(1000) if id_check_digit(f"51012319800101{k:03d}") == "X")
    validate_id_number(first17 + "x")
    assert normalise_id_number(first17 + "x") == first17 + "X"


def test_it_normalises_full_width_digits_and_spaces():
    good = valid_id("51012319800101123")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in good)
    spaced = f"{full_width[:6]} {full_width[6:14]}　{full_width[14:]}"
    validate_id_number(spaced)
    assert normalise_id_number(spaced) == good


@pytest.mark.parametrize(
    "value", ["13800001234", "19912345678", "138 0000 1234", "１３８００００１２３４", "028-12345678", "0816-1234567"]
)
def test_it_accepts_mobile_and_landline_numbers(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["12345", "23800001234", "12800001234", "1380000123", "138000012345", "abc"])
def test_it_rejects_a_malformed_phone_number(value):
    assert code_of(validate_phone, value) == "phone"
