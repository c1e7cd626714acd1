"""Access-control sweep of the API (API-1: the same authorisation as the pages): every operation of the
published OpenAPI document, as every kind of actor presenting a personal token, on the other fund's objects.

An operation added to the API without an entry in ``api_recipes.py`` fails here, naming it.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from habpps.api import tokens
from security.api_recipes import OPERATIONS, PARAMETERS, Open, Scoped
from security.sweep import Caller, JsonBody, Report
from security.world import ACTOR_KINDS, SIDES, build_world, other

ACTORS = [("national", None), ("anonymous", None)] + [(kind, side) for side in SIDES for kind in ACTOR_KINDS]


def published_operations() -> list[tuple[str, str, list[str]]]:
    """``(method, path template, path parameter names)`` of every operation of the OpenAPI document."""
    document = json.loads(Client().get("/api/v1/openapi.json").content)
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            operations.append((method, path, names))
    return operations


def test_every_operation_has_a_recipe():
    published = {f"{method.upper()} {path}" for method, path, _names in published_operations()}
    missing = sorted(published - set(OPERATIONS))
    assert not missing, (
        "Opérations de l'API inconnues du balayage des droits : ajoutez leur recette dans "
        f"tests/security/api_recipes.py : {', '.join(missing)}"
    )
    assert not sorted(set(OPERATIONS) - published), "Recettes d'opérations disparues de l'API"


def fill(path: str, names: list[str], side) -> str:
    for name in names:
        assert name in PARAMETERS, f"Paramètre d'URL « {name} » inconnu : ajoutez-le à PARAMETERS"
        path = path.replace("{" + name + "}", str(PARAMETERS[name](side)))
    return path


@pytest.mark.parametrize(("kind", "side"), ACTORS, ids=[f"{k}-{s}" if s else k for k, s in ACTORS])
def test_the_api_refuses_what_belongs_to_another_fund(kind, side, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HABPPS_API_DENIAL_JOURNAL = "immediate"
    tokens.forget_recognised_tokens()
    world = build_world()
    account = world.national_admin if kind == "national" else world.sides[side].actors[kind] if side else None
    token = tokens.create_personal_token(account, "balayage").secret if account else None
    report = Report()
    caller = Caller(kind, side, account, report, token=token)
    target = world.sides["a" if kind == "anonymous" else "b" if kind == "national" else other(side)]
    markers = [] if kind == "national" else target.markers
    for method, path, names in published_operations():
        recipe = OPERATIONS.get(f"{method.upper()} {path}")
        if isinstance(recipe, Open):
            body = JsonBody(recipe.body(target)) if recipe.body else None if method == "get" else JsonBody({})
            if kind in recipe.reach:
                caller.may_use(method, fill(path, names, target), markers, body)
            else:
                caller.must_be_refused(method, fill(path, names, target), body)
        elif isinstance(recipe, Scoped):
            url = fill(path, names, target)
            for body in recipe.bodies(target, world):
                data = None if body is None and method == "get" else JsonBody(body or {})
                if kind == "national":
                    caller.may_use(method, url, [], data)
                else:
                    caller.must_be_refused(method, url, data)
    print(f"{kind} {side or ''}: {report.calls} appels à l'API, {report.refused} refus")
    assert not report.problems, "\n".join(report.problems)
