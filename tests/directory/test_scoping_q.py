"""ENG-8 adapter: the engine's population filters become Django ``Q`` objects that a query intersects with."""

from __future__ import annotations

from django.db.models import Q

from habpps.authorization.scoping_q import to_q
from habpps.engine.scoping import AnyOf, Everything, FieldIn, Nothing


def test_everything_and_nothing():
    assert to_q(Everything()) == Q()
    assert to_q(Nothing()) == Q(pk__in=[])


def test_field_in_uses_the_model_lookup():
    assert to_q(FieldIn("org", frozenset({"cd75", "caf75"})), {"org": "partner__code"}) == Q(
        partner__code__in=["caf75", "cd75"])


def test_any_of_is_a_disjunction():
    population = AnyOf((FieldIn("numero", frozenset({"1"})), FieldIn("org", frozenset({"cd75"}))))
    assert to_q(population) == Q(pk__in=[]) | Q(numero__in=["1"]) | Q(org__in=["cd75"])
