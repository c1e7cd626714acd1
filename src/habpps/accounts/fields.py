"""Model fields of the accounts app."""

from __future__ import annotations

from django.db import models

from habpps.accounts.secret_box import open_sealed, seal


class SealedSecretField(models.CharField):
    """Text encrypted at rest (``secret_box``): clear in Python, ``fernet:…`` in the database."""

    def from_db_value(self, value, expression, connection):  # type: ignore[no-untyped-def]
        return open_sealed(value) if value is not None else value

    def get_prep_value(self, value):  # type: ignore[no-untyped-def]
        value = super().get_prep_value(value)
        return seal(value) if value else value
