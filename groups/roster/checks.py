"""System check: the roster import must parse workbooks with defusedxml.

openpyxl uses defusedxml (no entity expansion, no external entities: "billion laughs" and XXE refused) only when
it is installed and OPENPYXL_DEFUSEDXML is not set to False; without it an uploaded .xlsx could exhaust the server's
memory. `manage.py check`, `migrate` and `runserver` stop with this error instead.
"""

from django.core.checks import Error, register


@register()
def openpyxl_uses_defusedxml(app_configs, **kwargs):
    import openpyxl

    if openpyxl.DEFUSEDXML:
        return []
    return [
        Error(
            "openpyxl does not parse workbooks with defusedxml, so an uploaded roster could carry an XML bomb.",
            hint="pip install defusedxml (it is a dependency in pyproject.toml) and unset OPENPYXL_DEFUSEDXML.",
            id="members.E001",
        )
    ]
