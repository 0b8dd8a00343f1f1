"""Authentication backends: Django's model permissions, without asking the database about capabilities.

A capability (`township.capabilities`) is answered by django-rules; when its answer is no, Django goes on to ask the
next backend, and ModelBackend would load the user's and their groups' permissions from the database (two queries)
to learn what it cannot know. This ModelBackend answers no to capability names at once.

It also loads the signed-in person with their assignment (their role and reach, `township.scoping.assignment_of`)
in the one query every request makes for the user: almost every page asks for the reach, and a second query for it
on every request was a tenth of a branch page's time.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from core.prepared import PreparedRead
from township.scoping import keep_assignment, with_assignment


@cache
def _user_with_assignment() -> PreparedRead:
    """The person with their assignment, its village and township, its party group's village: the statement is made
    once per database connection (`core.prepared`), not at every request."""
    return PreparedRead(get_user_model(), with_assignment)


class ModelPermissionBackend(ModelBackend):
    def has_perm(self, user_obj, perm, obj=None):
        from township.capabilities import CAPABILITIES

        if perm in CAPABILITIES:
            return False
        return super().has_perm(user_obj, perm, obj)

    def get_user(self, user_id):
        user = _user_with_assignment().get(user_id)
        if user is None:
            return None
        keep_assignment(user)
        return user if self.user_can_authenticate(user) else None
