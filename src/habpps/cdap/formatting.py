"""French renderings of amounts and dates, shared by the sources, the pages and the certificate."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
CENT = Decimal("0.01")
NARROW_SPACE = "\u202f"
NO_BREAK_SPACE = "\u00a0"


def euros(amount: Decimal) -> str:
    """``1234.5`` → ``1 234,50 €`` (narrow no-break spaces, as French typography wants)."""
    quantized = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if quantized < 0 else ""
    units, cents = f"{abs(quantized):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return sign + NARROW_SPACE.join(groups) + "," + cents + NO_BREAK_SPACE + "€"


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def month(value: date) -> str:
    """``2025-03-01`` → ``mars 2025``."""
    return f"{MONTHS[value.month - 1]} {value.year}"


def quarter(value: date) -> str:
    """The quarter a date falls in: ``T1 2025``."""
    return f"T{(value.month - 1) // 3 + 1} {value.year}"
