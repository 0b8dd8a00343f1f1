"""Chinese for the words of Django's admin and django-simple-history that their zh_Hans catalogues lack.

Listed here so `makemessages` keeps them in our catalogue; Django looks up the project's catalogue first, so these
translations apply to the libraries' pages too. Never imported.
"""

from django.utils.translation import gettext_noop as _

ADMIN = [
    _("Model name"),
    _("Add link"),
    _("Change or view list link"),
    _("Error:"),
    _("After you’ve created a user, you’ll be able to edit more user options."),
]
HISTORY = [
    _("Changes"),
]
