"""Writing security events: `record(action, request=…, user=…, obj=…, rows=…, **detail)`.

Call it from views and services at the moment the thing happened (an export with its row count, an import, a reveal,
a year decided). The request defaults to the one being served, so services need not pass it along.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError

from audit.addresses import client_ip, current_request
from audit.models import SecurityEvent
from core.fields import mask_id_number

logger = logging.getLogger("audit.security")
Action = SecurityEvent.Action

# A run of digits long enough to be an ID number, a phone number or a bank account (an ID may end in X).
NUMBER_RE = re.compile(r"\d{6,}[\dXx]*")


def safe_path(request) -> str:
    """The page asked for, as it may be stored and shown to the auditor: any number in the query string that could be
    an ID or phone number (a search for one, say) is masked on the way in, so no full number is ever kept."""
    path = request.path
    query = request.META.get("QUERY_STRING", "")
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        path += "?" + urlencode(
            [(k, NUMBER_RE.sub(lambda m: mask_id_number(m.group()), v)) for k, v in pairs], safe="*"
        )
    return path[:300]


def record(action: str, *, request=None, user=None, username: str = "", obj=None, rows: int | None = None, **detail):
    request = request if request is not None else current_request()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        user = candidate if getattr(candidate, "is_authenticated", False) else None
    event = SecurityEvent(
        action=action,
        user=user if getattr(user, "pk", None) else None,
        username=(username or getattr(user, "username", "") or "")[:150],
        ip=client_ip(request),
        path=(safe_path(request) if request is not None else ""),
        rows=rows,
        detail={k: v for k, v in detail.items() if v is not None},
    )
    if obj is not None:
        event.object_type = f"{obj._meta.app_label}.{obj._meta.model_name}"
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:200]
    event.save()
    # One JSON object a line: a newline or quote typed into a user name cannot forge another line (issue 14).
    logger.info(
        "%s",
        json.dumps(
            {
                "action": str(action),
                "user": event.username,
                "ip": event.ip,
                "path": event.path,
                "object": f"{event.object_type}:{event.object_id}" if event.object_type else "",
                "rows": rows,
            },
            ensure_ascii=False,
        ),
    )
    return event


def record_denied(model, user, **lookup) -> None:
    """Keep an ACCESS_DENIED event when someone asks for a record that exists but lies outside their reach.

    Called only on the 404 path, so the one extra query costs nothing on pages that answer. A record that does not
    exist at all (a mistyped address) is not an event.
    """
    try:
        obj = model._default_manager.filter(**lookup).first()
    except (ValueError, TypeError, ValidationError):  # an id that is not an id: nothing there to be denied
        return
    if obj is not None:
        record(Action.ACCESS_DENIED, user=user, obj=obj)
