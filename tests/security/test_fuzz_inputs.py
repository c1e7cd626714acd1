"""Fuzzing pass over every form and every API operation (issue 18): no 5xx whatever the input.

Hypothesis draws oversized, deeply nested and odd-Unicode values (``fuzz_values``):

- **forms**: every page of the resolver (``routes``) the actor may reach, as the national administrator and as
  a partner administrator (who reaches the delegated pages), gets a GET with hostile query parameters and a
  POST filling every field its form shows (``<input>``, ``<select>``, ``<textarea>`` names read from the page)
  with hostile values; plus a body above the size limit;
- **API**: every operation of the OpenAPI document gets bodies made of its request schema's fields with hostile
  values, deeply nested JSON, a body above the limit, and hostile path parameters.

Every answer must be below 500. ``HABPPS_FUZZ_EXAMPLES`` raises the number of examples for a long campaign;
the default keeps the CI run to a few minutes on two cores.
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habpps.api import tokens
from security.fuzz_values import ODD_CHARACTERS, deep_json, form_value, json_scalar
from security.recipes import RECIPES, Page, Scoped
from security.routes import page_routes
from security.world import build_world

EXAMPLES = int(os.environ.get("HABPPS_FUZZ_EXAMPLES", "2"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.IGNORECASE)
SKIPPED_FIELDS = {"csrfmiddlewaretoken"}
# Pages whose POST ends the fuzzing session itself.
SESSION_ENDING = {"accounts:logout"}


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """The fuzzing explores the application, not the rate limits (tested on their own)."""
    settings.HABPPS_API_RATE_PER_TOKEN = 10**9
    settings.HABPPS_API_RATE_PER_ADDRESS = 10**9
    settings.HABPPS_API_RATE_PER_SERVICE_TOKEN = 10**9
    settings.HABPPS_API_DENIAL_JOURNAL = "immediate"


def page_urls(world, kind: str) -> list[tuple[str, str]]:
    """``(route name, url)`` of every page ``kind`` may use, on its own side's objects."""
    side = world.sides["a"]
    urls = []
    for route in page_routes():
        recipe = RECIPES.get(route.name)
        if route.name in SESSION_ENDING or recipe is None:
            continue
        if isinstance(recipe, Page):
            if kind in recipe.reach:
                urls.append((route.name, reverse(route.name, kwargs=recipe.kwargs(world))))
        elif isinstance(recipe, Scoped):
            for kwargs in recipe.targets(side, world)[:1]:
                urls.append((route.name, reverse(route.name, kwargs=kwargs)))
    return urls


def form_fields(client: Client, url: str) -> list[str]:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    names = set(FIELD.findall(response.content.decode(errors="replace"))) - SKIPPED_FIELDS
    return sorted(names)


def fuzz_pages(kind: str, account, world, values: list[str]) -> list[str]:
    client = Client()
    client.force_login(account)
    errors = []
    for name, url in page_urls(world, kind):
        fields = form_fields(client, url) or ["q", "page", "since", "until", "name"]
        hostile = {field: values[index % len(values)] for index, field in enumerate(fields)}
        query = urlencode({k: v[:2000] for k, v in hostile.items()})
        for method in ("GET", "POST"):
            response = client.get(f"{url}?{query}") if method == "GET" else client.post(url, hostile)
            if response.status_code >= 500:
                errors.append(f"{kind} {method} {url} ({name}) → {response.status_code}")
        if client.get(reverse("home")).status_code in (302, 401):  # a POST ended the session: sign in again
            client.force_login(account)
    return errors


@pytest.mark.slow
@pytest.mark.django_db
def test_no_form_answers_a_5xx_to_hostile_input():
    world = build_world()  # once: hypothesis's examples share the test's database
    actors = (("national", world.national_admin), ("partner_admin", world.sides["a"].actors["partner_admin"]))
    errors: list[str] = []

    @FUZZ
    @given(values=st.lists(form_value, min_size=3, max_size=6))
    def fuzz(values):
        for kind, account in actors:
            errors.extend(fuzz_pages(kind, account, world, values))

    fuzz()
    assert not errors, "\n".join(sorted(set(errors)))


@pytest.mark.django_db
def test_forms_refuse_a_body_above_the_limit_with_a_413(network, client):
    client.force_login(network.national_admin)
    body = urlencode({"name": "x" * (1024 * 1024 + 10)})
    for url in ("/annuaire/caisses/nouvelle/", "/compte/mot-de-passe/", "/journal/"):
        response = client.post(url, body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 413, url


# -- API --------------------------------------------------------------------------------------------------------------
def operations() -> list[tuple[str, str, dict]]:
    document = json.loads(Client().get("/api/v1/openapi.json").content)
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            found.append((method, path, operation))
    return found, document


def request_fields(operation: dict, document: dict) -> list[str]:
    """The property names of the operation's JSON body (one level of ``$ref``)."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return sorted(schema.get("properties", {}))


def query_fields(operation: dict) -> list[str]:
    return sorted(p["name"] for p in operation.get("parameters", []) if p.get("in") == "query")


def hostile_path(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", quote(value, safe=""), path)


@pytest.mark.slow
@pytest.mark.django_db
@FUZZ
@given(
    scalars=st.lists(json_scalar, min_size=4, max_size=8),
    deep=deep_json,
    path_value=st.sampled_from(ODD_CHARACTERS + ["１", "0x1", "1.5", "-0", "9" * 40, ""]),
)
def test_no_api_operation_answers_a_5xx_to_hostile_input(network, scalars, deep, path_value):
    tokens.forget_recognised_tokens()
    person = f"Bearer {tokens.create_personal_token(network.national_admin, 'fuzz').secret}"
    service = f"Bearer {tokens.register_service('fuzz').secret}"
    found, document = operations()
    errors = []
    for method, path, operation in found:
        auth = service if path.startswith("/api/v1/decisions") else person
        client = Client(HTTP_AUTHORIZATION=auth)
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        fields = request_fields(operation, document) or query_fields(operation) or ["x"]
        bodies = [
            json.dumps(
                {field: scalars[i % len(scalars)] for i, field in enumerate(fields)}, ensure_ascii=False
            ),
            json.dumps({field: {"a": [scalars[0]]} for field in fields}),
            deep,
        ]
        if method == "get":  # hostile query parameters instead of a body
            query = urlencode(
                {f: str(scalars[i % len(scalars)])[:3000] for i, f in enumerate(fields + ["page"])}
            )
            calls = [(f"{concrete}?{query}", ""), (hostile_path(path, path_value), "")]
        else:
            calls = [(concrete, body) for body in bodies] + [(hostile_path(path, path_value), bodies[0])]
        for url, body in calls:
            if method == "get":
                response = client.get(url)
            else:
                response = getattr(client, method)(url, body, content_type="application/json")
            if response.status_code >= 500:
                errors.append(f"{method.upper()} {url} → {response.status_code} ({body[:80]!r})")
    assert not errors, "\n".join(errors)


@pytest.mark.django_db
def test_every_api_operation_refuses_a_body_above_the_limit_with_a_413(network, settings):
    person = f"Bearer {tokens.create_personal_token(network.national_admin, 'fuzz').secret}"
    body = json.dumps({"x": "é" * (1024 * 1024)})
    found, _document = operations()
    statuses = set()
    for method, path, _operation in found:
        if method == "get":
            continue
        client = Client(HTTP_AUTHORIZATION=person)
        statuses.add(
            getattr(client, method)(
                re.sub(r"\{[^}]+\}", "1", path), body, content_type="application/json"
            ).status_code
        )
    assert statuses == {413}
