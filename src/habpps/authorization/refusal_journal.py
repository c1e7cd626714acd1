"""The journal of refusals (AUD-1, issue 16 §2): every refusal of the engine, wherever it was asked — the decision
API or a page — is one ``access.decision.denied`` entry with the engine's explanation, in the org scope of the unit
it concerns, written by the same writer (`habpps.journal.denials`, flood-aggregated; a page's refusal is written
in its request, the decision API's by default in the background).

The decision API journals its own (``habpps.api.pdp``); a page journals here when it answers a person with the
engine's refusal (`journal_page_refusal`), with ``service`` ``"pages"`` and the page's path, so that an auditor
sees on the journal the refusals of the web pages beside those of the services.
"""

from __future__ import annotations

from typing import Any

from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.authorization.policy_cache import CompiledPolicy, after_change, current_policy
from habpps.journal.context import current_request_path
from habpps.journal.denials import journal_denials

DENIAL_KIND = "access.decision.denied"
"""Journal kind of a refused decision: under ``access``, kept one year by default (AUD-3)."""

PAGES = "pages"
"""The ``service`` a page refusal is journalled under (API refusals carry the calling service's name)."""

API = "api"
"""The ``service`` of an administrative refusal answered by the administration API (``/api/v1/``)."""

SYSTEM = "systeme"
"""The ``service`` of an administrative refusal outside any request (a command, a job, an import)."""


def home_unit(compiled: CompiledPolicy, user: str) -> str:
    """The unit a user works in, as far as the engine knows: that of its first unit-bound assignment."""
    for assignment in compiled.snapshot.users.get(user, ()):
        if assignment.org is not None:
            return assignment.org
    return NATIONAL_UNIT


_parents_of: tuple[str, dict[str, str | None]] | None = None


def unit_scope(compiled: CompiledPolicy, unit: str) -> str:
    """The journal scope of an org unit (``national/fund:7/partner:42``); an unknown unit is national."""
    global _parents_of
    cached = _parents_of
    if cached is None or cached[0] != compiled.token:
        cached = _parents_of = (compiled.token, compiled.rbac.org_units())
    parents = cached[1]
    if unit not in parents:
        return NATIONAL_UNIT
    path: list[str] = []
    current: str | None = unit
    while current is not None and len(path) <= len(parents):
        path.append(current)
        current = parents.get(current)
    return "/".join(reversed(path))


def journal_page_refusal(request, operation: str, obj: str, org: str | None, decision: Any) -> None:
    """Journal that a page refused ``request.user`` ``(operation, obj)`` in ``org``, with the engine's
    explanation ``decision`` (its reason, message and failed constraints), as the decision API does."""
    compiled = current_policy()
    login = request.user.login
    unit = org or getattr(request.user, "org_unit", None) or home_unit(compiled, login)
    active = getattr(request.user, "active_roles", None)
    journal_denials(
        [
            {
                "kind": DENIAL_KIND,
                "org_scope": unit_scope(compiled, unit),
                "target": f"account:{login}"[:255],
                "data": {
                    "service": PAGES,
                    "page": request.path[:255],
                    "user": login,
                    "operation": operation,
                    "object": obj,
                    "org": unit,
                    "reason": getattr(decision, "reason", None),
                    "message": getattr(decision, "message", None),
                    **({"active_roles": sorted(active)} if active is not None else {}),
                    "policy_version": compiled.number,
                },
            }
        ],
        immediate=True,
    )


def journal_refusal(
    actor, *, operation: str, obj: str, org: str | None, reason: str, message: str, code: str | None = None
) -> None:
    """Journal that the engine refused ``actor`` an administrative change (CNV-1/2/3, ADM-4): one
    ``access.decision.denied`` entry, whichever entry point asked — a page (``service`` « pages »), the API
    (« api ») or the system (« systeme », ``actor`` None) — with the question as the decision API takes it
    (``operation``, ``obj``, ``org``: `habpps.authorization.admin_questions`), the engine's ``reason`` and the
    ``message`` the person was shown, which carries the engine's explanation.

    Asked from inside an administrative change, the entry is written once the change is over: the refusal rolls
    the change back, not its own record."""
    path = current_request_path.get()
    service = SYSTEM if path is None else API if path.startswith("/api/") else PAGES
    login = getattr(actor, "login", None)

    def write() -> None:
        compiled = current_policy()
        unit = org or (home_unit(compiled, login) if login else NATIONAL_UNIT)
        journal_denials(
            [
                {
                    "kind": DENIAL_KIND,
                    "actor": actor,  # the person refused: the journal's « Personne » column names him
                    "org_scope": unit_scope(compiled, unit),
                    "target": f"account:{login}"[:255] if login else "system",
                    "data": {
                        "service": service,
                        **({"page": path[:255]} if path else {}),
                        "user": login,
                        "operation": operation,
                        "object": obj,
                        "org": org,
                        "reason": reason,
                        "message": message,
                        **({"code": code} if code else {}),
                        "policy_version": compiled.number,
                    },
                }
            ],
            immediate=True,
        )

    after_change(write)
