"""Authentication backends: Django's model permissions, without asking the database about capabilities.

A capability (`township.capabilities`) is answered by django-rules; when its answer is no, Django goes on to ask the
next backend, and ModelBackend would load the user's and their groups' permissions from the database (two queries)
to learn what it cannot know. This ModelBackend answers no to capability names at once.
"""

from django.contrib.auth.backends import ModelBackend


class ModelPermissionBackend(ModelBackend):
    def has_perm(self, user_obj, perm, obj=None):
        from township.capabilities import CAPABILITIES

        if perm in CAPABILITIES:
            return False
        return super().has_perm(user_obj, perm, obj)
