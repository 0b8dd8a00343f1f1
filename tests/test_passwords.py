"""The password policy: 8 characters, 3 of 4 classes, not common, not like the username; Argon2; no default accounts."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


@pytest.fixture(autouse=True)
def production_hashers(settings):
    """The suite hashes with MD5 for speed (tests/conftest.py); here the project's own hashers are checked."""
    from config import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


@pytest.mark.parametrize("password", ["abcdefgh1", "ABCDEFGH12", "abcdefgh-", "Passwordpassword"])
def test_it_refuses_a_password_with_fewer_than_three_kinds_of_character(password):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert "password_too_simple" in [e.code for e in exc.value.error_list]


@pytest.mark.parametrize("password", ["Luozi-Secret-2025", "xin-mima-2026", "Jinxi2025Ab"])
def test_it_accepts_three_kinds_of_character(password):
    validate_password(password)


def test_it_refuses_a_short_common_or_username_like_password(db):
    user = get_user_model()(username="luozi", first_name="罗德华")
    for password, code in (
        ("Ab-1", "password_too_short"),
        ("Password1!", "password_too_common"),
        ("Luozi-12", "password_too_similar"),
    ):
        with pytest.raises(ValidationError) as exc:
            validate_password(password, user)
        assert code in [e.code for e in exc.value.error_list], password


def test_passwords_are_hashed_with_argon2(db):
    user = get_user_model().objects.create_user("zhang", password="Zhang-Secret-2025")
    assert user.password.startswith("argon2$")
    assert get_hasher().algorithm == "argon2"


def test_there_is_no_account_after_migrate(db):
    assert not get_user_model().objects.exists()
