"""Number formats of the survey pages: a missing figure shows as a dash, never as "None%"."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    # Rounded first: number_format cuts the digits off (66.66 would print 66.6).
    return "—" if value is None else f"{number_format(round(value, digits), digits)}%"


@register.filter
def num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    places = 0 if float(value).is_integer() else digits
    return number_format(round(value, places), places)
