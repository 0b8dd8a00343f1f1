"""Helpers for the login tests: accounts with a real password, logging in through the login page, TOTP codes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp

PASSWORD = "Luozi-Secret-2025"
NEW_PASSWORD = "Xin-Mima-2026-abc"


def with_password(user, password: str = PASSWORD):
    """Give a persona a real password, outside any request (as seed_demo does): not a forced change."""
    user.set_password(password)
    user.save()
    return user


def log_in(client, username: str, password: str = PASSWORD, **extra):
    """Post the login form as a person would; `extra` may carry REMOTE_ADDR."""
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def code_for(device, steps_ahead: int = 0) -> str:
    """The six digits the phone app shows now (or `steps_ahead` 30-second steps later; the device allows one)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead):06d}"


@pytest.fixture
def two_factor_on(settings):
    settings.OTP_REQUIRED = True


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """These tests log in many times; Argon2's deliberate slowness is tested in tests/test_passwords.py."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
