"""Every decision of a page is taken with the roles active in the viewer's engine session (ENG-1)."""

from __future__ import annotations

from habpps.authorization.sessions import ACTIVE_ROLES_KEY


class ActiveRolesMiddleware:
    """Put the session's active roles on ``request.user`` (``active_roles``), where the decisions read them.

    After Django's ``AuthenticationMiddleware``. A session without the key (no DSD set concerns the person) adds
    nothing: all authorised roles are active.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        roles = request.session.get(ACTIVE_ROLES_KEY) if hasattr(request, "session") else None
        if roles is not None and request.user.is_authenticated:
            request.user.active_roles = frozenset(roles)
        return self.get_response(request)
