"""The Django adapter of the engine's data scoping (ENG-8): a population `RecordFilter` becomes a ``Q``.

A list page intersects its own query with it — ``Model.objects.filter(own_query).filter(to_q(population))`` —
so the database never returns a record the viewer must not see (thesis 3.1.4: « on effectue alors une
intersection entre la requête applicative et la liste de dossiers autorisés »). ``field_map`` renames the
engine's field names to the model's lookups (``{"org": "partner__unit_code"}``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Q

from habpps.engine.scoping import AnyOf, Everything, FieldIn, Nothing, RecordFilter


def to_q(population: RecordFilter, field_map: Mapping[str, str] | None = None) -> Q:
    """The ``Q`` selecting exactly the records of ``population``; an empty ``pk__in`` when nothing is allowed."""
    lookups = field_map or {}
    if isinstance(population, Everything):
        return Q()
    if isinstance(population, Nothing):
        return Q(pk__in=[])
    if isinstance(population, FieldIn):
        return Q(**{f"{lookups.get(population.field, population.field)}__in": sorted(population.values, key=str)})
    if isinstance(population, AnyOf):
        combined = Q(pk__in=[])
        for part in population.parts:
            combined |= to_q(part, lookups)
        return combined
    raise TypeError(f"Filtre de population inconnu : {type(population).__name__}")
