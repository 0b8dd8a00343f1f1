"""`{{ amount|yuan }}` → 1,234.50: money the Chinese way with grouping (zh-hans number formatting has none)."""
from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """A Decimal amount of yuan with thousands separators and two decimals (exact, never through float)."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(value).quantize(Decimal('0.01')):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


@register.filter
def who(user) -> str:
    """The person who did something, by name: their full name, else their account name; 系统 (the system) where no
    person did it (an import, a management command, the demo builder)."""
    if not user:
        return "系统"
    return user.get_full_name() or user.username
