"""Access-control sweep (OWASP ASVS 4.0.3 V4, SEC-1, ADM-4): every page, as every kind of actor, on the objects
of the other fund.

The URL patterns come from Django's resolver, so a new page is swept the day it is added — and fails here until
``recipes.py`` says how to fill its URL and who may use it. Each actor gets a fresh world (``world.py``); the
calls that must be refused are checked to change no table and to journal nothing but a denial.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from security.recipes import RECIPES, Page, Scoped
from security.routes import page_routes
from security.sweep import Caller, Report
from security.world import ACTOR_KINDS, SIDES, build_world, other

ACTORS = [("national", None), ("anonymous", None)] + [(kind, side) for side in SIDES for kind in ACTOR_KINDS]


def test_every_page_has_a_recipe():
    missing = [route.name for route in page_routes() if route.name not in RECIPES]
    assert not missing, (
        "Pages inconnues du balayage des droits : ajoutez leur recette (arguments d'URL et qui peut les "
        f"utiliser) dans tests/security/recipes.py : {', '.join(missing)}"
    )
    stale = sorted(set(RECIPES) - {route.name for route in page_routes()})
    assert not stale, f"Recettes de pages disparues : {', '.join(stale)}"


def sweep_pages(caller: Caller, world) -> None:
    own = caller.side
    # The national administrator acts on fund B; anonymous callers on fund A; everyone else on the other fund.
    target_side = world.sides[
        "b" if own is None and caller.kind == "national" else other(own) if own else "a"
    ]
    foreign_markers = [] if caller.kind == "national" else world.sides[other(own or "b")].markers
    if caller.kind == "anonymous":
        foreign_markers = world.sides["a"].markers + world.sides["b"].markers
    for route in page_routes():
        recipe = RECIPES.get(route.name)
        if recipe is None:
            continue  # reported by test_every_page_has_a_recipe
        if isinstance(recipe, Page):
            url = reverse(route.name, kwargs=recipe.kwargs(world))
            for method in recipe.methods:
                if caller.kind in recipe.reach:
                    caller.may_use(method, url, foreign_markers)
                else:
                    caller.must_be_refused(method, url)
            continue
        assert isinstance(recipe, Scoped)
        for kwargs in recipe.targets(target_side, world):
            url = reverse(route.name, kwargs=kwargs)
            data = recipe.post(target_side, world)
            for method in recipe.methods:
                if caller.kind == "national":
                    caller.may_use(method, url, [], data)
                else:
                    caller.must_be_refused(method, url, data)


@pytest.mark.parametrize(("kind", "side"), ACTORS, ids=[f"{k}-{s}" if s else k for k, s in ACTORS])
def test_pages_refuse_what_belongs_to_another_fund(kind, side, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    account = None
    if kind == "national":
        account = world.national_admin
    elif side is not None:
        account = world.sides[side].actors[kind]
    report = Report()
    sweep_pages(Caller(kind, side, account, report), world)
    print(f"{kind} {side or ''}: {report.calls} appels, {report.refused} refus")
    assert not report.problems, "\n".join(report.problems)
