"""Display helpers: money as 1,234.50 (exact Decimal, never float)."""
from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """Format a Decimal amount of yuan with thousands separators and two decimals; blank for None is 0.00."""
    if value is None or value == "":
        value = Decimal("0")
    value = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value):,.2f}"
