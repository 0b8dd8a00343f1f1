"""Logging in, logging out and changing the password, in Chinese pages."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

PASSWORD = "Luozi-Secret-2025"


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def test_it_logs_a_secretary_in_and_lands_on_their_village(org, secretary_a1, client):
    _with_password(secretary_a1)
    response = client.post(reverse("login"), {"username": "luozi", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("village", args=[org.a1.pk])
    assert "罗紫村" in response.content.decode()


def test_a_wrong_password_is_answered_in_chinese_with_the_username_kept(org, secretary_a1, client):
    _with_password(secretary_a1)
    response = client.post(reverse("login"), {"username": "luozi", "password": "wrong"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="luozi"' in page
    assert "正确的用户名和密码" in page  # Django's own message, from its zh_Hans catalogue


def test_logout_is_a_post_and_ends_the_session(org, secretary_a1, client):
    client.force_login(secretary_a1)
    assert client.get(reverse("logout")).status_code == 405  # a link cannot log anyone out
    client.post(reverse("logout"))
    assert client.get(reverse("village", args=[org.a1.pk]))["Location"].startswith(reverse("login"))


def test_it_changes_the_password(org, secretary_a1, client):
    _with_password(secretary_a1)
    client.force_login(secretary_a1)
    page = client.get(reverse("password_change")).content.decode()
    assert "修改密码" in page
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Xin-Mima-2026-abc", "new_password2": "Xin-Mima-2026-abc"},
    )
    assert response["Location"] == reverse("password_change_done")
    assert get_user_model().objects.get(pk=secretary_a1.pk).check_password("Xin-Mima-2026-abc")


def test_a_weak_new_password_is_refused_next_to_the_field(org, secretary_a1, client):
    _with_password(secretary_a1)
    client.force_login(secretary_a1)
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert get_user_model().objects.get(pk=secretary_a1.pk).check_password(PASSWORD)
