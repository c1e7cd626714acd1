"""``{% load habilitation_labels %}``: a permission in words in any template (« Gérer les groupes »)."""

from __future__ import annotations

import time

from django import template

from habpps.authorization.permission_labels import PermissionLabels

register = template.Library()
_REFRESH_SECONDS = 60
_cached: tuple[float, PermissionLabels] | None = None


def _labels() -> PermissionLabels:
    """Section names are read at most once a minute per process (a renamed section shows within a minute)."""
    global _cached
    now = time.monotonic()
    if _cached is None or now - _cached[0] > _REFRESH_SECONDS:
        _cached = (now, PermissionLabels())
    return _cached[1]


@register.filter
def permission_label(permission) -> str:
    """``{{ permission|permission_label }}`` for anything with ``operation`` and ``obj``."""
    return _labels()(permission.operation, permission.obj)
