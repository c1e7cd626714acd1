"""How the API sweep fills each operation of ``/api/v1/openapi.json``, and who may call those naming nothing of
a fund. Same two kinds as the pages (``recipes.py``): ``Scoped`` operations name objects of a side through
their path parameters and must refuse every actor of the other fund; ``Open`` ones list who may call them.

Path parameters are filled by name (``PARAMETERS``); bodies are those that would make the change if the check
were missing. An operation without an entry fails the sweep, naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace as World

from security.recipes import FUND_ADMINS, NATIONAL, STAFF
from security.world import Side

PARAMETERS: dict[str, Callable[[Side], object]] = {
    "fund_id": lambda s: s.fund.pk,
    "partner_id": lambda s: s.partner.pk,
    "group_id": lambda s: s.group.pk,
    "account_id": lambda s: s.spare_user.pk,
    "convention_id": lambda s: s.convention.pk,
    "sequence": lambda s: s.journal_sequence,
    "login": lambda s: s.actors["user"].login,
    "code": lambda s: "cdap-ass-cesf",
    "service_code": lambda s: "cdap",
    "link_id": lambda s: 999_999,
    "set_id": lambda s: 999_999,
    "rule_id": lambda s: 999_999,
    "approval_id": lambda s: 999_999,
    "violation_id": lambda s: 999_999,
    "name": lambda s: "horaires-cdap",
    "operation": lambda s: "consulter",
    "obj": lambda s: "cdap.section.dossier",
    "resource": lambda s: "dossier",
    "action": lambda s: "consulter",
    "model_id": lambda s: 999_999,
    "attribute": lambda s: "reseau",
}

NEW_ACCOUNT = {"first_name": "Intrus", "last_name": "Intrus", "email": "intrus@exemple.fr"}
NEW_PARTNER = {
    "name": "Partenaire intrus",
    "siret": "55208131766522",
    "partner_type": "ccas",
    "street": "1 rue de la Paix",
    "postal_code": "75002",
    "city": "Paris",
}


@dataclass(frozen=True)
class Scoped:
    bodies: Callable[[Side, World], list[dict | None]] = lambda side, world: [None]


@dataclass(frozen=True)
class Open:
    """``body(side)`` names the other side's objects where the operation takes some in its body."""

    reach: frozenset[str]
    body: Callable[[Side], dict] | None = None


def status_bodies(side: Side, world: World) -> list[dict]:
    return [{"status": status} for status in ("suspended", "removed")]


def transitions(side: Side, world: World) -> list[dict]:
    actions = (
        "validate", "reject", "submit", "request_documents", "documents_received", "resume", "cancel", "withdraw"
    )
    return [{"action": action, "reason": "Intrusion", "note": "Intrusion"} for action in actions]


OPERATIONS: dict[str, Scoped | Open] = {
    "POST /api/v1/decisions": Open(frozenset()),  # registered services only, never a person
    "POST /api/v1/decisions/batch": Open(frozenset()),
    "GET /api/v1/caisses": Open(FUND_ADMINS | {"verifier"}),
    "POST /api/v1/caisses": Open(
        NATIONAL, lambda s: {"code": "998", "name": "Caf intruse", "department": "99"}
    ),
    "GET /api/v1/caisses/{fund_id}": Scoped(),
    "PATCH /api/v1/caisses/{fund_id}": Scoped(lambda s, w: [{"name": "Caf intruse"}]),
    "POST /api/v1/caisses/{fund_id}/statut": Scoped(status_bodies),
    "GET /api/v1/caisses/{fund_id}/comptes": Scoped(),
    "POST /api/v1/caisses/{fund_id}/comptes": Scoped(lambda s, w: [{**NEW_ACCOUNT, "roles": ["FundAdmin"]}]),
    "GET /api/v1/partenaires": Open(FUND_ADMINS | {"verifier"}),
    "POST /api/v1/partenaires": Open(FUND_ADMINS, lambda s: NEW_PARTNER),
    "GET /api/v1/partenaires/{partner_id}": Scoped(),
    "PATCH /api/v1/partenaires/{partner_id}": Scoped(lambda s, w: [{"name": "Partenaire intrus"}]),
    "POST /api/v1/partenaires/{partner_id}/statut": Scoped(status_bodies),
    "GET /api/v1/partenaires/{partner_id}/comptes": Scoped(),
    "POST /api/v1/partenaires/{partner_id}/comptes": Scoped(lambda s, w: [NEW_ACCOUNT]),
    "GET /api/v1/partenaires/{partner_id}/groupes": Scoped(),
    "POST /api/v1/partenaires/{partner_id}/groupes": Scoped(lambda s, w: [{"name": "Groupe intrus"}]),
    "GET /api/v1/groupes/{group_id}": Scoped(),
    "PATCH /api/v1/groupes/{group_id}": Scoped(lambda s, w: [{"name": "Groupe intrus"}]),
    "POST /api/v1/groupes/{group_id}/statut": Scoped(status_bodies),
    "POST /api/v1/groupes/{group_id}/membres": Scoped(lambda s, w: [{"account": s.spare_user.login}]),
    "DELETE /api/v1/groupes/{group_id}/membres/{login}": Scoped(),
    "POST /api/v1/groupes/{group_id}/profils": Scoped(lambda s, w: [{"role": "cdap-instructeur-rsa-cpam"}]),
    "DELETE /api/v1/groupes/{group_id}/profils/{code}": Scoped(),
    "PUT /api/v1/groupes/{group_id}/profils/{code}/periode": Scoped(lambda s, w: [{"valid_until": "2030-12-31"}]),
    "GET /api/v1/moi": Open(STAFF),
    "GET /api/v1/moi/habilitations": Open(STAFF),
    "GET /api/v1/comptes/{account_id}": Scoped(),
    "GET /api/v1/comptes/{account_id}/habilitations": Scoped(),
    "POST /api/v1/comptes/{account_id}/statut": Scoped(status_bodies),
    "POST /api/v1/comptes/{account_id}/roles": Scoped(lambda s, w: [{"role": "PartnerAdmin"}]),
    "DELETE /api/v1/comptes/{account_id}/roles/{code}": Scoped(),
    "GET /api/v1/profils": Open(STAFF),
    "GET /api/v1/profils/{code}/titulaires": Open(FUND_ADMINS | {"partner_admin", "delegate"}),
    "POST /api/v1/explications": Open(
        STAFF, lambda s: {"user": s.actors["user"].login, "operation": "consulter", "object": "cdap"}
    ),
    "GET /api/v1/conventions": Open(STAFF),
    "GET /api/v1/conventions/{convention_id}": Scoped(),
    "GET /api/v1/conventions/{convention_id}/impact": Scoped(),
    "POST /api/v1/conventions/{convention_id}/transitions": Scoped(transitions),
    "GET /api/v1/journal": Open(FUND_ADMINS | {"partner_admin"}),
    "GET /api/v1/journal/{sequence}": Scoped(),
    "GET /api/v1/politique": Open(NATIONAL),
    "POST /api/v1/politique/differences": Open(NATIONAL, lambda s: {"document": {}}),
    "POST /api/v1/politique/import": Open(NATIONAL, lambda s: {"document": {}, "simulation": True}),
    "POST /api/v1/politique/simulation": Open(NATIONAL, lambda s: {"document": {}}),
    # Contextual constraints and data scoping: national parameters.
    "GET /api/v1/contraintes": Open(NATIONAL),
    "POST /api/v1/contraintes": Open(NATIONAL, lambda s: {"name": "intrusion", "conditions": []}),
    "PUT /api/v1/contraintes/{name}": Open(NATIONAL, lambda s: {"conditions": []}),
    "DELETE /api/v1/contraintes/{name}": Open(NATIONAL),
    "POST /api/v1/contraintes/attributs": Open(NATIONAL, lambda s: {"name": "intrusion", "function": "current_time"}),
    "DELETE /api/v1/contraintes/attributs/{name}": Open(NATIONAL),
    "POST /api/v1/contraintes/{name}/permissions": Open(
        NATIONAL, lambda s: {"operation": "consulter", "object": "cdap.section.dossier"}
    ),
    "DELETE /api/v1/contraintes/{name}/permissions/{operation}/{obj}": Open(NATIONAL),
    "GET /api/v1/profils/{code}/permissions": Open(NATIONAL),
    "PUT /api/v1/profils/{code}/permissions": Open(
        NATIONAL, lambda s: {"permissions": [{"operation": "exporter", "object": "cdap.dossier"}]}),
    "GET /api/v1/profils/{code}/periode": Open(NATIONAL),
    "PUT /api/v1/profils/{code}/periode": Open(NATIONAL, lambda s: {"weekdays": [1]}),
    "DELETE /api/v1/profils/{code}/periode": Open(NATIONAL),
    "GET /api/v1/profils/{code}/portee": Open(NATIONAL),
    "POST /api/v1/profils/{code}/populations": Open(NATIONAL, lambda s: {"resource": "dossier", "name": "x", "kind": "all"}),
    "DELETE /api/v1/profils/{code}/populations/{resource}/{name}": Open(NATIONAL),
    "POST /api/v1/profils/{code}/champs": Open(NATIONAL, lambda s: {"resource": "dossier", "field": "x", "access": "read"}),
    "PUT /api/v1/profils/{code}/limites/{action}": Open(NATIONAL, lambda s: {"max_per_day": 1}),
    # The extended RBAC model: national parameters; held changes for who may approve in their unit.
    "GET /api/v1/modele/heritages": Open(NATIONAL),
    "POST /api/v1/modele/heritages": Open(NATIONAL, lambda s: {"senior": "cdap-ass-cesf", "junior": "cdap-instructeur-rsa-cpam"}),
    "DELETE /api/v1/modele/heritages/{link_id}": Open(NATIONAL),
    "GET /api/v1/modele/separations": Open(NATIONAL),
    "POST /api/v1/modele/separations": Open(
        NATIONAL,
        lambda s: {"kind": "ssd", "name": "intrusion", "members": [{"role": "cdap-ass-cesf"}, {"role": "Verifier"}]},
    ),
    "DELETE /api/v1/modele/separations/{set_id}": Open(NATIONAL),
    "GET /api/v1/modele/exclusions": Open(NATIONAL),
    "POST /api/v1/modele/exclusions": Open(
        NATIONAL,
        lambda s: {"name": "intrusion", "risk": "block", "members": [{"role": "cdap-ass-cesf"}, {"role": "Verifier"}]},
    ),
    "DELETE /api/v1/modele/exclusions/{rule_id}": Open(NATIONAL),
    "GET /api/v1/modele/roles": Open(NATIONAL),
    "PUT /api/v1/modele/roles/{code}": Open(NATIONAL, lambda s: {"descends": True}),
    "PUT /api/v1/comptes/{account_id}/limite-roles": Scoped(lambda s, w: [{"max_roles": 1}]),
    "GET /api/v1/comptes/{account_id}/limite-roles": Scoped(),
    "GET /api/v1/comptes/{account_id}/periode": Scoped(),
    "PUT /api/v1/comptes/{account_id}/periode": Scoped(lambda s, w: [{"valid_until": "2030-12-31"}]),
    "DELETE /api/v1/comptes/{account_id}/periode": Scoped(),
    "GET /api/v1/comptes/{account_id}/attributs": Scoped(),
    "PUT /api/v1/comptes/{account_id}/attributs/{attribute}": Scoped(lambda s, w: [{"value": "10.0.0.0/8"}]),
    "DELETE /api/v1/comptes/{account_id}/attributs/{attribute}": Scoped(),
    "GET /api/v1/profils/{code}/conditions": Open(NATIONAL),
    "POST /api/v1/profils/{code}/conditions": Open(
        NATIONAL, lambda s: {"operation": "consulter", "object": "cdap.section.dossier", "constraint": "horaires-cdap"}
    ),
    "PUT /api/v1/profils/{code}/conditions/{operation}/{obj}": Open(NATIONAL, lambda s: {"constraints": []}),
    "DELETE /api/v1/profils/{code}/conditions/{operation}/{obj}/{name}": Open(NATIONAL),
    "GET /api/v1/profils/{code}/conditions-activation": Open(NATIONAL),
    "PUT /api/v1/profils/{code}/conditions-activation": Open(NATIONAL, lambda s: {"constraints": []}),
    "DELETE /api/v1/profils/{code}/conditions-activation/{name}": Open(NATIONAL),
    "GET /api/v1/a-approuver": Open(FUND_ADMINS),
    "POST /api/v1/a-approuver/{approval_id}/approuver": Open(FUND_ADMINS),
    "POST /api/v1/a-approuver/{approval_id}/refuser": Open(FUND_ADMINS, lambda s: {"reason": "Intrusion"}),
    "GET /api/v1/infractions-signalees": Open(NATIONAL),
    "POST /api/v1/infractions-signalees/{violation_id}/prise-en-compte": Open(NATIONAL),
    "GET /api/v1/services/clients-oidc": Open(NATIONAL),
    "GET /api/v1/services/{service_code}/client-oidc": Open(NATIONAL),
    "PUT /api/v1/services/{service_code}/client-oidc": Open(
        NATIONAL, lambda s: {"redirect_uris": ["https://intrus.exemple.fr/retour"]}
    ),
    "POST /api/v1/services/{service_code}/client-oidc/secret": Open(NATIONAL),
    # Role-engineering workbench (RE-2b): national objects, decided in the national unit.
    "GET /api/v1/atelier-roles/modeles/{model_id}/rationalisations": Open(NATIONAL),
    "GET /api/v1/atelier-roles/modeles/{model_id}/scenarios-similaires": Open(NATIONAL),
    "POST /api/v1/atelier-roles/modeles/{model_id}/decompositions": Open(
        NATIONAL,
        lambda s: {"scenario": "SC-CDAP-RSA", "position": 1, "steps": [{"text": "a"}, {"text": "b"}]},
    ),
    "POST /api/v1/atelier-roles/modeles/{model_id}/generalisations": Open(
        NATIONAL,
        lambda s: {
            "sources": ["SC-CDAP-RSA", "SC-CDAP-PERIODE"],
            "scenario_id": "SC-G",
            "object": "o",
            "parameter": "p",
            "values": {"SC-CDAP-RSA": "a", "SC-CDAP-PERIODE": "b"},
        },
    ),
}
