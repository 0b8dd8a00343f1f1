"""`{{ amount|yuan }}` → 1,234.50: money the Chinese way with grouping (zh-hans number formatting has none)."""
from decimal import InvalidOperation

from django import template

from core import rounding

register = template.Library()


@register.filter
def yuan(value) -> str:
    """A Decimal amount of yuan with thousands separators and two decimals (exact, never through float)."""
    if value is None or value == "":
        return ""
    try:
        return f"{rounding.money(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
