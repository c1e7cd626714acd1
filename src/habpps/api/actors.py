"""The person behind a request of the administration endpoints, and the engine checks the pages also make."""

from __future__ import annotations

from django.http import HttpRequest

from habpps.api.problems import forbidden
from habpps.authorization.decisions import is_allowed
from habpps.authorization.permissions import Permission


def actor_of(request: HttpRequest):
    """The account the request acts as (personal token or session)."""
    return request.auth


def require_permission(request: HttpRequest, permission: Permission, org: str | None = None):
    """The actor, if the engine grants it ``permission`` (in ``org``, default its own unit); 403 otherwise.

    For a permission over the whole list or the actor's own organisation, a refusal is a 403: nothing about
    another organisation is revealed. Object-level refusals are 404 (see ``problems``), as on the pages.
    """
    actor = actor_of(request)
    if not is_allowed(actor, permission.operation, permission.obj, org):
        raise forbidden()
    return actor
