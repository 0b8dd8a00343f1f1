"""The address a request came from, and the request being served (for history rows and security events written deep
in services, which are not handed the request).

Behind a reverse proxy REMOTE_ADDR is the proxy; set TRUSTED_PROXY_COUNT to the number of proxies in front of the
app (nginx alone: 1) and the client address is read from X-Forwarded-For, counting from the right, so a client
cannot forge it by sending its own header.

The request being served is the one django-simple-history's HistoryRequestMiddleware keeps for its own history
rows (`HistoricalRecords.context`, an asgiref Local: per thread and per async task, so the live server's threads and
an ASGI server's tasks never see each other's request, and a command sees none).
"""

from __future__ import annotations

from django.conf import settings
from simple_history.models import HistoricalRecords


def client_ip(request) -> str | None:
    if request is None:
        return None
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def current_request():
    """The request this thread or task is serving, or None in a command or a test without a request."""
    return getattr(HistoricalRecords.context, "request", None)
