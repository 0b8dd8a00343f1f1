"""Attribution of changes: services name the acting user, and django-simple-history records it with the change."""
from __future__ import annotations


def stamp(obj, user):
    """Attribute the history row of the next save (or delete) of `obj` to `user`, outside a request too."""
    if user is not None and getattr(user, "pk", None):
        obj._history_user = user
    return obj


def user_or_none(user):
    """The user for a `…_by` foreign key: None for an anonymous or missing user (a command, the demo builder)."""
    return user if getattr(user, "pk", None) else None
