"""Number formats of the survey pages: a missing figure shows as a dash, never as "None%"."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{number_format(value, digits)}%"


@register.filter
def num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return number_format(value, 0 if float(value).is_integer() else digits)
