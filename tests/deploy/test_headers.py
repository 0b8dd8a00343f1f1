"""The security headers every page carries (what an assessor's scanner looks for first)."""

from __future__ import annotations

from django.urls import reverse


def test_a_page_carries_every_security_header(client, org, township_staff):
    client.force_login(township_staff)
    response = client.get(reverse("township", args=[org.ta.pk]))
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_error_pages_carry_them_too(client, org):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert header in response, header
