"""Administrative questions the decision API answers as the pages do (issue 16 §2): « may this person give this
profile to this group? », « put this account in it? », « validate this convention? ».

The pages, the administration API and the commands change a partner's groups and accounts through the directory's
services, which ask the engine's permission in the unit, then the registered perimeters
(`habpps.authorization.perimeters`: the sub-perimeter delegated to a partner's delegate, the partner's validated
convention and its user limits — all engine rules, ENG-12) and journal a refusal under an operation and an object
(``attribuer-profil`` on ``group:7/cdap-ass-cesf`` in ``partner:3``). ``POST /api/v1/decisions`` takes that very
triple — ``{"user", "operation", "object", "org"}`` — and answers here with the same questions, so the refusal, its
reason and its explanation are the page's, word for word, and both appear in the journal of refusals.

The questions on a partner's groups (``gerer-groupe``, ``creer-groupe``, ``attribuer-profil``…) are answered here;
other apps register the questions on their own records from ``AppConfig.ready``, as they register perimeters: the
directory the questions on accounts (``gerer-compte``, ``creer-compte``, ``attribuer-role``:
`habpps.directory.questions`), the conventions app ``valider-version``, ``abandonner-version``,
``retirer-version`` and ``deleguer-perimetre``.
"""

from __future__ import annotations

from collections.abc import Callable, KeysView
from dataclasses import dataclass, field
from typing import Any

from habpps.authorization import perimeters
from habpps.authorization import permissions as perms
from habpps.authorization.decisions import explain
from habpps.authorization.labels import in_french
from habpps.authorization.orgs import partner_unit
from habpps.authorization.permission_labels import PermissionLabels
from habpps.authorization.stored import Account, AccountStatus, Group, Partner, ServiceRole


@dataclass(frozen=True)
class AdminAnswer:
    """The answer to an administrative question, shaped as the engine's ``Decision`` the decision API explains:
    ``reason`` is the engine's (``outside_perimeter``, ``perimeter_limit``, ``group_out_of_scope``,
    ``condition_failed``…), ``message`` the sentence the page shows, with the engine's explanation in names."""

    granted: bool
    reason: str
    message: str
    code: str | None = None
    path: None = None
    failed_constraints: tuple[dict[str, Any], ...] = field(default=())

    def __bool__(self) -> bool:
        return self.granted


GRANTED = AdminAnswer(True, "granted", "Autorisé.")

Answerer = Callable[[Any, str, "str | None"], AdminAnswer]
"""``(account asking, object, org) -> answer``."""

_answerers: dict[str, Answerer] = {}


class UnknownObject(LookupError):
    """The question names a group, profile, account or convention that does not exist."""


def register(operation: str, answerer: Answerer) -> None:
    _answerers[operation] = answerer


def operations() -> KeysView[str]:
    """The registered operations, as a live view: an operation an app registers later is in it too (the lean
    decision server probes it once per question)."""
    return _answerers.keys()


def is_administrative(operation: str) -> bool:
    """Whether ``operation`` is an administrative question rather than a permission of the policy."""
    return operation in _answerers


def answer(user: str, operation: str, obj: str, org: str | None) -> AdminAnswer:
    """The platform's answer to ``user`` doing ``operation`` on ``obj`` (in ``org``), as its pages would give it."""
    account = Account.objects.filter(login=user).first()
    if account is None or account.status != AccountStatus.ACTIVE:
        return AdminAnswer(False, "unknown_user", f"Refusé : « {user} » est inconnu ou n'est pas actif.")
    try:
        return _answerers[operation](account, obj, org)
    except UnknownObject as error:
        return AdminAnswer(False, "unknown_object", f"Refusé : {error}.")


def from_refusal(refusal) -> AdminAnswer:
    """A perimeter's refusal as an answer (its engine reason, its message)."""
    reason = getattr(refusal, "reason", None) or refusal.code
    return AdminAnswer(False, reason, refusal.message, refusal.code)


def permission_answer(account, permission: perms.Permission, unit: str) -> AdminAnswer | None:
    """The engine's refusal of the permission the service asks first, or None when held."""
    decision = explain(account, permission.operation, permission.obj, unit)
    if decision.granted:
        return None
    label = PermissionLabels()(permission.operation, permission.obj)
    message = decision.message.replace(f"« {permission.operation} » sur « {permission.obj} »", f"« {label} »")
    return AdminAnswer(False, decision.reason, in_french(message), "not_authorized",
                       failed_constraints=tuple(decision.failed_constraints))


def _pk(text: str, prefix: str, what: str) -> int:
    key = text.removeprefix(prefix)
    if not text.startswith(prefix) or not key.isdigit() or len(key) > 18:
        raise UnknownObject(f"« {text} » ne désigne pas {what}")
    return int(key)


def _group(obj: str, org: str | None) -> tuple[Group, str]:
    name, _sep, item = obj.partition("/")
    group = Group.objects.select_related("partner").filter(pk=_pk(name, "group:", "un groupe")).first()
    if group is None or (org is not None and org != partner_unit(group.partner_id)):
        raise UnknownObject(f"le groupe « {name} » est inconnu dans « {org or '—'} »")
    return group, item


def known_role(code: str) -> ServiceRole:
    """The profile or role named ``code`` in a question, else `UnknownObject`."""
    role = ServiceRole.objects.filter(code=code).first() if code else None
    if role is None:
        raise UnknownObject(f"le profil « {code} » est inconnu")
    return role


def known_account(login: str) -> Any:
    """The account named ``login`` in a question, else `UnknownObject`."""
    account = Account.objects.filter(login=login).first() if login else None
    if account is None:
        raise UnknownObject(f"le compte « {login} » est inconnu")
    return account


def _group_question(ask: Callable[[Any, Group, str], Any]) -> Answerer:
    """A question on a partner's group: the engine's ``gerer groupes`` in the partner's unit, then ``ask``."""

    def answerer(account, obj: str, org: str | None) -> AdminAnswer:
        group, item = _group(obj, org)
        refused = permission_answer(account, perms.MANAGE_GROUPS, partner_unit(group.partner_id))
        if refused is not None:  # an answer is falsy when it refuses
            return refused
        refusal = ask(account, group, item)
        return from_refusal(refusal) if refusal is not None else GRANTED

    return answerer


def _assign(actor, group: Group, code: str):
    role = known_role(code)
    return perimeters.group_profile_fact(role) or perimeters.first_refusal(
        lambda p: p.profile_refusal(actor, group, role))


def _member(actor, group: Group, login: str):
    account = known_account(login)
    return perimeters.group_member_fact(group, account) or perimeters.first_refusal(
        lambda p: p.membership_refusal(actor, group, account))


def _create_group(actor, obj: str, org: str | None) -> AdminAnswer:
    """``creer-groupe`` on ``partner:<id>``: the engine's ``gerer groupes`` there, then the registered perimeters
    (a delegate's authority lists its groups: the engine's ``can_create_group`` refuses him)."""
    partner = Partner.objects.filter(pk=_pk(obj, "partner:", "un organisme partenaire")).first()
    if partner is None or (org is not None and org != obj):
        raise UnknownObject(f"l'organisme « {obj} » est inconnu dans « {org or '—'} »")
    refused = permission_answer(actor, perms.MANAGE_GROUPS, obj)
    if refused is not None:
        return refused
    refusal = perimeters.group_creation_refusal(actor, partner)
    return from_refusal(refusal) if refusal is not None else GRANTED


register(perimeters.MANAGE_GROUP, _group_question(lambda actor, group, _item: perimeters.group_refusal(actor, group)))
register(perimeters.ASSIGN_PROFILE, _group_question(_assign))
register(
    perimeters.WITHDRAW_PROFILE,
    _group_question(lambda actor, group, code: perimeters.first_refusal(
        lambda p: p.profile_removal_refusal(actor, group, known_role(code)))),
)
register(perimeters.ADD_MEMBER, _group_question(_member))
register(
    perimeters.REMOVE_MEMBER,
    _group_question(lambda actor, group, login: perimeters.first_refusal(
        lambda p: p.member_removal_refusal(actor, group, known_account(login)))),
)
register(perimeters.CREATE_GROUP, _create_group)
