"""Every page of the platform, read from Django's URL resolver, so that a view added tomorrow is swept too."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "api/v1/"


@dataclass(frozen=True)
class Route:
    """A named URL pattern: ``name`` is the reversing name with its namespace (``directory:fund-detail``)."""

    name: str
    pattern: str
    params: tuple[str, ...]


def _walk(patterns, prefix: str, namespace: str):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner_namespace = namespace
            if entry.namespace:
                inner_namespace = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner_namespace)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), (namespace + entry.name) if entry.name else None, entry


def page_routes() -> list[Route]:
    """The named patterns outside the API (the API is swept from its OpenAPI document)."""
    routes = []
    for pattern, name, entry in _walk(get_resolver().url_patterns, "", ""):
        if pattern.startswith(API_PREFIX):
            continue
        assert name, (
            f"Le motif d'URL « {pattern} » n'a pas de nom : nommez-le pour que le balayage le couvre."
        )
        routes.append(Route(name, pattern, tuple(entry.pattern.converters)))
    return routes
