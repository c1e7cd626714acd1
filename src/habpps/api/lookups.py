"""Objects the routers find by the code a caller gives, refused in the API's words when absent.

A profile taken out of the catalogue (``removed``) is absent: callers see the same answer as for an unknown code.
"""

from __future__ import annotations

from habpps.api.problems import ApiProblem, not_found
from habpps.directory.models import ServiceRole, Status


def service_profile(code: str, *, in_body: bool = False) -> ServiceRole:
    """The profile of ``code``: 404 when the code is the resource of the path, 422 when a request body names it."""
    role = ServiceRole.objects.exclude(status=Status.REMOVED).filter(code=code).first()
    if role is None:
        if in_body:
            raise ApiProblem(422, "profil-inconnu", f"Profil inconnu : « {code} ».")
        raise not_found()
    return role
