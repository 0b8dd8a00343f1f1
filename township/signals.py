"""Security events for changes to accounts and roles, whichever way they are made (admin, shell, demo seeding).

ROLE_CHANGED: an Assignment created, changed or deleted, with the role and scope before and after.
ACCOUNT_CHANGED: an account created, or its active / staff / superuser flags, groups or permissions changed;
ACCOUNT_DISABLED when an account is switched off. Password changes are recorded by the login code
(PASSWORD_CHANGED), and a save touching only last_login records nothing.

Signals rather than admin hooks because the audit trail must not depend on which screen made the change; the
acting person comes from the request being served (`audit.addresses.current_request`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from audit.events import Action, record
from township.models import Assignment

User = get_user_model()
ACCOUNT_FLAGS = ("is_active", "is_staff", "is_superuser")


def role_state(assignment: Assignment | None) -> dict | None:
    """The role and scope as words for the event's detail (old → new)."""
    if assignment is None:
        return None
    scope = assignment.county or assignment.township or assignment.village or assignment.party_group
    return {"role": assignment.role, "scope": str(scope) if scope is not None else ""}


@receiver(pre_save, sender=Assignment)
def remember_old_role(sender, instance, raw=False, **kwargs):
    instance._audit_old_role = None
    if not raw and instance.pk:
        old = sender.objects.select_related("county", "township", "village", "party_group").filter(pk=instance.pk)
        instance._audit_old_role = role_state(old.first())


@receiver(post_save, sender=Assignment)
def record_role_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old, new = getattr(instance, "_audit_old_role", None), role_state(instance)
    if old != new:
        record(Action.ROLE_CHANGED, obj=instance.user, old=old, new=new)


@receiver(post_delete, sender=Assignment)
def record_role_deleted(sender, instance, **kwargs):
    account = User.objects.filter(pk=instance.user_id).first()  # gone too when the account itself was deleted
    record(Action.ROLE_CHANGED, obj=account, old=role_state(instance), new=None, account=str(instance.user_id))


@receiver(pre_save, sender=User)
def remember_old_flags(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._audit_old_flags = None
    if raw or not instance.pk or (update_fields is not None and not set(update_fields) & set(ACCOUNT_FLAGS)):
        return
    instance._audit_old_flags = sender.objects.filter(pk=instance.pk).values(*ACCOUNT_FLAGS).first()


@receiver(post_save, sender=User)
def record_account_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    new = {flag: getattr(instance, flag) for flag in ACCOUNT_FLAGS}
    if created:
        record(Action.ACCOUNT_CHANGED, obj=instance, created=True, new=new)
        return
    old = getattr(instance, "_audit_old_flags", None)
    if old is None:
        return
    changed = {flag: [old[flag], new[flag]] for flag in ACCOUNT_FLAGS if old[flag] != new[flag]}
    if not changed:
        return
    disabled = changed.get("is_active") == [True, False]
    record(Action.ACCOUNT_DISABLED if disabled else Action.ACCOUNT_CHANGED, obj=instance, changed=changed)


def _record_m2m(kind: str):
    def receiver_(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action not in ("post_add", "post_remove", "post_clear") or (action != "post_clear" and not pk_set):
            return
        if reverse:  # a group's or permission's users changed: one event per account
            for account in User.objects.filter(pk__in=pk_set or ()):
                record(Action.ACCOUNT_CHANGED, obj=account, **{kind: {action[5:]: [str(instance)]}})
            return
        names = sorted(str(o) for o in model.objects.filter(pk__in=pk_set)) if pk_set else []
        record(Action.ACCOUNT_CHANGED, obj=instance, **{kind: {action[5:]: names}})

    return receiver_


record_groups_changed = _record_m2m("groups")
record_permissions_changed = _record_m2m("permissions")
m2m_changed.connect(record_groups_changed, sender=User.groups.through, dispatch_uid="audit_user_groups")
m2m_changed.connect(record_permissions_changed, sender=User.user_permissions.through, dispatch_uid="audit_user_perms")
