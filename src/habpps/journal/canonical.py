"""Canonical JSON: the one byte serialisation that entry hashes and checkpoint signatures are computed over.

A hash is only useful if the verifier can rebuild exactly the bytes the writer hashed, after the values went
through a database and back. Two things can change on that trip: key order (PostgreSQL ``jsonb`` sorts keys
its own way) and number spelling (``jsonb`` stores ``1e20`` as the integer ``100000000000000000000``). Sorted
keys fix the first; storing integral floats as integers fixes the second. PostgreSQL also refuses the NUL
character in text and ``jsonb``; it is replaced by U+FFFD on every database, so that hostile input (a login
typed with a NUL byte) is journaled instead of making the journal write fail. Values are normalised *before*
they are stored, so what is stored is exactly what was hashed.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


def normalise_json(value: Any) -> Any:
    """Return ``value`` as plain JSON data (dict, list, str, int, float, bool, None) that survives a database.

    Dates, decimals and UUIDs become strings as Django's JSON encoder writes them; integral floats become
    integers; NUL characters become U+FFFD; NaN and infinities are refused because no JSON column stores them.
    """
    plain = json.loads(json.dumps(value, cls=DjangoJSONEncoder, allow_nan=False))
    return _storable(plain)


def storable_text(text: str) -> str:
    """``text`` with NUL characters replaced, as every text column of every supported database accepts."""
    return text.replace("\x00", "\ufffd")


def _storable(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):  # pragma: no cover - json.dumps(allow_nan=False) refused it already
            raise ValueError("NaN et infini ne sont pas représentables en JSON")
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        return {storable_text(key): _storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable(item) for item in value]
    return value


def canonical_bytes(value: Any) -> bytes:
    """Serialise already-normalised JSON data to its canonical UTF-8 bytes (sorted keys, no spaces)."""
    return json.dumps(
        _storable(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")
