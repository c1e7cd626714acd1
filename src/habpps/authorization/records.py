"""Before/after pictures of stored rows for the journal (AUD-1), for every app (the directory re-exports them)."""

from __future__ import annotations

from django.db import models

# Never journalled, whatever the model: secrets and values derived from them.
SECRET_FIELDS = frozenset({"password"})


def as_record(instance: models.Model) -> dict:
    """The row's own columns by name (foreign keys as their ids), secrets left out."""
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.name not in SECRET_FIELDS
    }


def target_of(instance: models.Model) -> str:
    """How the journal names a directory row: ``partner:42``, ``account:jdupont.4821``…"""
    label = instance._meta.model_name
    login = getattr(instance, "login", None)
    return f"{label}:{login}" if login else f"{label}:{instance.pk}"
