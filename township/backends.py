"""Authentication backends: Django's model permissions, without asking the database about capabilities.

A capability (`township.capabilities`) is answered by django-rules; when its answer is no, Django goes on to ask the
next backend, and ModelBackend would load the user's and their groups' permissions from the database (two queries)
to learn what it cannot know. This ModelBackend answers no to capability names at once.

It also loads the signed-in person with their assignment (their role and reach, `township.scoping.assignment_of`)
in the one query every request makes for the user: almost every page asks for the reach, and a second query for it
on every request was a tenth of a branch page's time.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

# What `township.scoping.assignment_of` needs of an assignment, read with the user.
ASSIGNMENT_RELATED = ("assignment__village__township", "assignment__party_group__village")


class ModelPermissionBackend(ModelBackend):
    def has_perm(self, user_obj, perm, obj=None):
        from township.capabilities import CAPABILITIES

        if perm in CAPABILITIES:
            return False
        return super().has_perm(user_obj, perm, obj)

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related(*ASSIGNMENT_RELATED)
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        # only this read is trusted for the reach: a user object made or kept elsewhere may carry an assignment
        # cached before it changed (township.scoping.assignment_of asks the database for those)
        user.assignment_read_with_user = True
        return user if self.user_can_authenticate(user) else None
