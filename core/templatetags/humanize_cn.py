"""`{{ amount|yuan }}` → 1,234.50: money the Chinese way with grouping (zh-hans number formatting has none);
`{{ day|day_cn }}` → 2026年3月1日 and `{{ q|quarter_cn }}` → 第一季度 (core.words)."""
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


@register.filter
def who(user) -> str:
    """The person who did something, by name: their full name, else their account name; 系统 (the system) where no
    person did it (an import, a management command, the demo builder)."""
    if not user:
        return "系统"
    return user.get_full_name() or user.username


@register.filter
def day_cn(value) -> str:
    """A date as 2026年3月1日."""
    from core.words import day_cn as spell

    return spell(value) if value else ""


@register.filter
def quarter_cn(value) -> str:
    """A quarter number as 第一季度."""
    from core.words import quarter_cn as spell

    return spell(value)


@register.filter
def shown(value):
    """A stored value as a person reads it: 是/否 for booleans, 无 for nothing, dates as 2026年3月1日."""
    import datetime

    from django.utils import timezone

    from core import clock
    from core.words import BOOLEAN_NAMES, day_cn

    if value is None or isinstance(value, bool):
        return BOOLEAN_NAMES[value]
    if isinstance(value, datetime.datetime):
        local = clock.local(value) if timezone.is_aware(value) else value
        return f"{day_cn(local)} {local:%H:%M}"
    if isinstance(value, datetime.date):
        return day_cn(value)
    if type(value).__name__ == "DeletedObject":  # simple-history: a foreign key whose row is gone, or none at all
        return BOOLEAN_NAMES[None] if value.pk is None else f"已删除的{value.model._meta.verbose_name}（{value.pk}号）"
    return value

