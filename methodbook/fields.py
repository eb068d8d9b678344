"""Parsing and formatting of the structured entry fields."""

from __future__ import annotations

import re

from .errors import ValidationError
from .i18n import N_

_RANGE = re.compile(r"^\s*(\d{1,6})\s*(?:[-–]\s*(\d{1,6}))?\s*$")


def parse_range(value, field_name: str, upper: int) -> tuple[int | None, int | None]:
    """Parse ``45`` or ``30-60`` into (low, high); empty gives (None, None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        raise ValidationError.single(field_name, N_("Write a number or a range such as 30-60."))
    if isinstance(value, int):
        low = high = value
    else:
        match = _RANGE.match(str(value))
        if not match:
            raise ValidationError.single(field_name, N_("Write a number or a range such as 30-60."))
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
    if high < low:
        raise ValidationError.single(
            field_name, N_("The range ends (%(high)s) before it starts (%(low)s)."), low=low, high=high
        )
    if low < 1 or high > upper:
        raise ValidationError.single(field_name, N_("Use whole numbers from 1 to %(upper)s."), upper=upper)
    return low, high


def format_range(low: int | None, high: int | None) -> str:
    """Format (low, high) back to ``45`` or ``30-60``; empty when unset."""
    if low is None:
        return ""
    return str(low) if high in (None, low) else f"{low}-{high}"


def duration_band(low: int | None, high: int | None) -> str | None:
    """Return the duration band a range falls in: short, medium or long."""
    if low is None:
        return None
    mid = (low + (high or low)) / 2
    if mid <= 30:
        return "short"
    return "medium" if mid <= 90 else "long"
