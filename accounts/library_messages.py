"""Chinese for the words django-axes shows in the admin (its own catalogue has no Chinese).

Listed here so `makemessages` keeps them in our catalogue; Django looks up the project's catalogue first, so these
translations apply to the library's pages too. Never imported.
"""

from django.utils.translation import gettext_noop as _

LOCKOUT_ADMIN = [
    _("access attempt"),
    _("access attempts"),
    _("User Agent"),
    _("IP Address"),
    _("Username"),
    _("Path"),
    _("Attempt Time"),
    _("Failed Logins"),
    _("Locked Out"),
    _("Attempt Remaining"),
    _("Form Data"),
    _("Meta Data"),
    _("GET Data"),
    _("POST Data"),
    _("HTTP Accept"),
    _("Expires At"),
    _("Not set"),
    _("Clean up expired attempts"),
    _("Status"),
]
