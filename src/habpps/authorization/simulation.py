"""What-if (issue 16 §3): before applying a policy document or one change, who gains and loses what, which
exclusions would fire and which pending approvals it would create.

Nothing is stored: the engine is built from the database (the policy build), a copy is changed — replaced by the
document, or given the one change through the engine's own administrative function — and the two are compared
by the engine (`habpps.engine.diff`, `exclusion_conflicts`). The result speaks of people by name and profiles by
label, in French.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from habpps.engine import RBAC, ApprovalRequired, PolicyDocumentError, RBACError, diff
from habpps.engine.exclusions import RISK_LABELS

_QUOTED = re.compile(r"« ([^«»]+) »")

ASSIGN = "attribuer"
REVOKE = "retirer"
ACTIONS = {ASSIGN: "Attribuer un profil", REVOKE: "Retirer un profil"}


@dataclass
class PersonChange:
    """What one person would gain and lose."""

    login: str
    name: str
    gained_profiles: list[str] = field(default_factory=list)
    lost_profiles: list[str] = field(default_factory=list)
    gained: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    lost_roles: list[str] = field(default_factory=list)
    """Codes of the profiles lost (in whatever unit): for callers that count by profile, not shown as is."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "login": self.login, "name": self.name, "gained_profiles": self.gained_profiles,
            "lost_profiles": self.lost_profiles, "gained": self.gained, "lost": self.lost, "changed": self.changed,
        }


@dataclass
class Simulation:
    """The effects of a document or a change, computed without applying anything."""

    subject: str
    people: list[PersonChange] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)
    """Exclusions the change would set off (reported or blocking), in French."""
    approvals: list[str] = field(default_factory=list)
    """Pending approvals it would create (``require_approval`` exclusions)."""
    refusals: list[str] = field(default_factory=list)
    """Why it would be refused (by the engine, or by the platform for what it cannot store)."""
    invalid: bool = False
    """The document is not a valid policy document (nothing could be simulated)."""

    @property
    def applicable(self) -> bool:
        return not self.refusals

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject, "applicable": self.applicable, "invalid": self.invalid, "people": [p.as_dict() for p in self.people],
            "exclusions": self.exclusions, "approvals": self.approvals, "refusals": self.refusals,
        }


class _Labels:
    """People by name and profiles by label, read once from the directory."""

    def __init__(self) -> None:
        from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit, partner_unit
        from habpps.authorization.stored import Account, Fund, Partner, ServiceRole

        self.people = {login: f"{first} {last}".strip() or login for login, first, last in
                       Account.objects.values_list("login", "first_name", "last_name")}
        self.profiles = dict(ServiceRole.objects.values_list("code", "name"))
        self.units = {NATIONAL_UNIT: "niveau national"}
        self.units.update({fund_unit(pk): name for pk, name in Fund.objects.values_list("pk", "name")})
        self.units.update({partner_unit(pk): name for pk, name in Partner.objects.values_list("pk", "name")})

    def person(self, login: str) -> str:
        return self.people.get(login, login)

    def profile(self, code: str) -> str:
        return self.profiles.get(code, code)

    def unit(self, org: str | None) -> str:
        return "partout" if org is None else self.units.get(org, org)

    def humanize(self, text: str) -> str:
        """The engine's French sentence with names instead of codes: « FundAdmin » → « Administrateur Caf »,
        « fund:1 » → « Caf A », « jdupont.1234 » → « Jean Dupont »."""

        def label(match: re.Match[str]) -> str:
            code = match.group(1)
            name = self.profiles.get(code) or self.units.get(code) or self.people.get(code) or code
            return f"« {name} »"

        return _QUOTED.sub(label, text)


def _current() -> RBAC:
    from habpps.authorization.policy_build import build_rbac

    return build_rbac()


def _profiles(rbac: RBAC, user: str, known: set[str]) -> set[tuple[str, str | None]]:
    if user not in known:
        return set()
    return {(entry.role, entry.org) for entry in rbac.user_assignments(user)}




def _compare(before: RBAC, after: RBAC, labels: _Labels, simulation: Simulation) -> None:
    """Fill who gains and loses what, and the exclusions the new policy sets off that the old one did not."""
    changes = diff(before, after)
    known_before, known_after = before.users(), after.users()
    users = sorted(set(changes) | {u for u in known_before | known_after
                                   if _profiles(before, u, known_before) != _profiles(after, u, known_after)})
    for user in users:
        old, new = _profiles(before, user, known_before), _profiles(after, user, known_after)
        change = changes.get(user, {"gained": set(), "lost": set()})
        simulation.people.append(PersonChange(
            login=user, name=labels.person(user),
            gained_profiles=sorted(f"{labels.profile(r)} ({labels.unit(o)})" for r, o in new - old),
            lost_profiles=sorted(f"{labels.profile(r)} ({labels.unit(o)})" for r, o in old - new),
            lost_roles=sorted({r for r, _o in old - new} - {r for r, _o in new}),
            gained=sorted(f"{op} {obj}" for op, obj in change["gained"]),
            lost=sorted(f"{op} {obj}" for op, obj in change["lost"]),
            changed=[labels.humanize(f"{op} {obj} : {' ; '.join(m['before'])} → {' ; '.join(m['after'])}")
                     for (op, obj), m in sorted(change.get("changed", {}).items())],
        ))
    already = {(f["rule"], f["subject"]) for f in before.exclusion_conflicts() if f["severity"] == "broken"}
    for finding in after.exclusion_conflicts():
        if finding["severity"] != "broken" or (finding["rule"], finding["subject"]) in already:
            continue
        subject = labels.person(finding["subject"]) if finding["subject_kind"] == "user" else finding["subject"]
        held = labels.humanize(", ".join(finding["held"]))
        text = (f"Exclusion « {finding['rule']} » ({RISK_LABELS.get(finding['risk'], finding['risk'])}) : "
                f"{subject} réunirait {held}.")
        if finding["risk"] == "require_approval":
            simulation.approvals.append(
                text + " Le changement attendrait l'approbation d'un second administrateur, qui n'en est ni le "
                "demandeur ni le bénéficiaire.")
        else:
            simulation.exclusions.append(text)


def simulate_policies(subject: str, current: RBAC, proposed: RBAC) -> Simulation:
    """Compare two engines a caller prepared (e.g. the current one and a copy given what validating an
    amendment would do): who gains and loses what, by name and label. Neither engine is changed."""
    simulation = Simulation(subject=subject)
    _compare(current, proposed, _Labels(), simulation)
    return simulation


def simulate_document(document: Any) -> Simulation:
    """The effects of importing ``document`` (a mapping, or YAML/JSON text) instead of the current policy."""
    from habpps.authorization.policy_sections import ImportContext, check_document

    simulation = Simulation(subject="Importation d'un document de politique")
    labels = _Labels()
    try:
        proposed = RBAC.load(document)
    except PolicyDocumentError as error:
        simulation.refusals += [f"{item.get('path', '')} : {item['message']}" for item in error.errors]
        simulation.invalid = True
        return simulation
    simulation.refusals += check_document(ImportContext(proposed.export()))
    _compare(_current(), proposed, labels, simulation)
    return simulation


def simulate_change(action: str, login: str, profile: str, actor: str | None = None) -> Simulation:
    """The effects of giving (``attribuer``) or withdrawing (``retirer``) the profile ``profile`` to the account
    ``login``, in its own unit, as ``actor`` would — through the engine's administrative functions on a copy."""
    from habpps.authorization.stored import Account

    labels = _Labels()
    verb = "Attribution" if action == ASSIGN else "Retrait"
    simulation = Simulation(subject=f"{verb} du profil « {labels.profile(profile)} » à {labels.person(login)}")
    account = Account.objects.filter(login=login).first()
    if account is None:
        simulation.refusals.append(f"Compte inconnu : « {login} ».")
        return simulation
    if action not in ACTIONS:
        simulation.refusals.append(f"Action inconnue : « {action} » (attribuer ou retirer).")
        return simulation
    current = _current()
    proposed = RBAC.load(current.export())
    # The engine decides the actor's authority once administrative roles are compiled into it; until the actor
    # holds one there, the change is simulated as the platform's own (its pages already checked the actor).
    engine_actor = actor if actor in proposed.users() and proposed.effective_authorities(actor) else None
    call = proposed.assign_user if action == ASSIGN else proposed.deassign_user
    try:
        call(login, profile, org=account.org_unit, actor=engine_actor)
    except ApprovalRequired as parked:
        simulation.approvals.append(labels.humanize(parked.pending.message))
        proposed = _applied_anyway(current, action, login, profile, account.org_unit, parked.pending.exclusions)
    except RBACError as refusal:
        simulation.refusals.append(labels.humanize(refusal.message))
        return simulation
    _compare(current, proposed, labels, simulation)
    return simulation


def _applied_anyway(current: RBAC, action: str, login: str, profile: str, org: str | None,
                    approved: Any) -> RBAC:
    """The policy once the pending change is approved (to show what it would then give)."""
    proposed = RBAC.load(current.export())
    with proposed.approving(approved):
        if action == ASSIGN:
            proposed.assign_user(login, profile, org=org)
        else:
            proposed.deassign_user(login, profile, org=org)
    return proposed
