"""What a service learns about the person who signs in: identity, organisation and that service's profiles.

The ``habilitations`` claim is computed by the engine at token time from the compiled policy — the same facts
every decision uses — and holds only the profiles of the service asking, each with the organisation unit it is
held in and its end date when it is time-bound. Anything finer (may he do X on Y?) the service asks the decision
point (AuthZEN); a token is a snapshot, not a decision.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from habpps.accounts.models import Account, OrgLevel
from habpps.authorization.policy_cache import current_policy
from habpps.directory.models import Fund, Partner, ServiceRole
from habpps.sso.models import ServiceClient


def subject(client: ServiceClient, account: Account) -> str:
    """The pairwise subject of ``account`` for this service: stable for the client's life, unlinkable across
    services (OpenID Connect Core §8.1), and independent of the login, which an administrator may rename."""
    return hashlib.sha256(f"{client.subject_salt}:{account.pk}".encode()).hexdigest()


def organisation(account: Account) -> dict[str, Any]:
    """The person's organisation as a service can show it: level, fund and partner with their names."""
    claim: dict[str, Any] = {"niveau": str(OrgLevel(account.org_level).label)}
    fund = account.partner.fund if account.org_level == OrgLevel.PARTNER else account.fund
    if fund is not None:
        claim["caisse"] = {"id": fund.pk, "nom": fund.name}
    if account.partner is not None:
        claim["partenaire"] = {"id": account.partner.pk, "nom": account.partner.name, "siret": account.partner.siret}
    return claim


def unit_name(unit: str | None) -> str:
    """The name people know for an engine unit (``partner:3`` → the partner's name)."""
    kind, _, key = (unit or "").partition(":")
    if kind == "partner" and key.isdigit():
        return Partner.objects.filter(pk=int(key)).values_list("name", flat=True).first() or unit
    if kind == "fund" and key.isdigit():
        return Fund.objects.filter(pk=int(key)).values_list("name", flat=True).first() or unit
    return "National"


def _closure(rbac, role: str) -> set[str]:
    """``role`` and every role it inherits (its juniors, transitively)."""
    seen, todo = {role}, [role]
    while todo:
        for junior in rbac.role_juniors(todo.pop()):
            if junior not in seen:
                seen.add(junior)
                todo.append(junior)
    return seen


def habilitations(client: ServiceClient, account: Account, today: date | None = None) -> list[dict[str, Any]]:
    """The profiles of ``client``'s service that ``account`` holds now, per organisation unit, from the engine."""
    today = today or date.today()
    policy = current_policy()
    rbac, snapshot = policy.rbac, policy.snapshot
    labels = dict(ServiceRole.objects.filter(service_id=client.service_id).values_list("code", "name"))
    temporal = rbac.temporal_constraints()["assignments"]
    held: dict[tuple[str, str | None], date | None] = {}
    for assignment in snapshot.users.get(account.login, ()):
        kind, holder = ("group", assignment.group) if assignment.group else ("user", account.login)
        constraint = temporal.get((kind, holder, assignment.role, assignment.org))
        end = constraint.end_date if constraint is not None else None
        if constraint is not None and (
            (constraint.end_date and constraint.end_date < today)
            or (constraint.begin_date and constraint.begin_date > today)
        ):
            continue
        for role in _closure(rbac, assignment.role):
            if role in labels:
                key = (role, assignment.org)
                if key not in held:
                    held[key] = end
                else:
                    # Held twice (directly and through a group): no end beats any end, else the later end.
                    previous = held[key]
                    held[key] = None if previous is None or end is None else max(previous, end)
    return [
        {
            "profil": role,
            "libelle": labels[role],
            "unite": org,
            "organisation": unit_name(org),
            "fin": end.isoformat() if end else None,
        }
        for (role, org), end in sorted(held.items(), key=lambda item: (item[0][0], item[0][1] or ""))
    ]


def claims_for(client: ServiceClient, account: Account) -> dict[str, Any]:
    """Every claim Habpps can give this service about ``account``; the token keeps those its scopes allow."""
    return {
        "sub": subject(client, account),
        "preferred_username": account.login,
        "name": f"{account.first_name} {account.last_name}".strip(),
        "given_name": account.first_name,
        "family_name": account.last_name,
        "email": account.email,
        "organisation": organisation(account),
        "habilitations": habilitations(client, account),
    }
