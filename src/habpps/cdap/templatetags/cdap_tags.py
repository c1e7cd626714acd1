"""Template filters of CDAP."""

from __future__ import annotations

from decimal import Decimal

from django import template

from habpps.cdap.formatting import euros as format_euros

register = template.Library()


@register.filter
def euros(amount: Decimal) -> str:
    return format_euros(amount)
