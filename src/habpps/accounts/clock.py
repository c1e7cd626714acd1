"""The time the authentication policy reads: freezes, password validity, reset links, idle sessions.

Every rule of AUT-1..8 that depends on time asks ``clock.now()`` instead of calling ``timezone.now()`` itself,
so that tests can move time forward (``monkeypatch.setattr(clock, "now", …)``) and watch a freeze expire, a
password age or a session fall idle without waiting. Call it as ``clock.now()`` — never import ``now`` by name,
or the replacement would not be seen.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """The current aware datetime."""
    return timezone.now()
