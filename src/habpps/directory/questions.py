"""The directory's administrative questions on accounts, answered for ``POST /api/v1/decisions`` as its services
decide them (issue 16 §2), registered with `habpps.authorization.admin_questions` from ``DirectoryConfig.ready``:

- ``gerer-compte`` on ``<login>``: change an account (its status, its roles);
- ``attribuer-role`` on ``<login>/<role code>``: give it an administrative role (or take it away);
- ``creer-compte`` on ``<unit>[/<role code>,…]``: create an account in the unit holding those administrative roles.

Each asks the engine's permission the service asks (`accounts.account_management_permission`), then the registered
perimeters, in the services' order — so the answer is the page's refusal, its reason and its sentence."""

from __future__ import annotations

from habpps.accounts.models import Account, OrgLevel
from habpps.authorization import admin_questions as questions
from habpps.authorization import perimeters
from habpps.authorization.admin_questions import GRANTED, AdminAnswer, UnknownObject
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.authorization.permissions import Permission
from habpps.directory.models import Fund, Partner
from habpps.directory.services.accounts import account_management_permission


def _account(obj: str, org: str | None) -> tuple[Account, tuple[str, str, str]]:
    """The account a question names, in ``org`` when given, and the permission managing it."""
    account = questions.known_account(obj)
    permission = account_management_permission(account.org_level, account.organisation)
    if org is not None and org != permission[2]:
        raise UnknownObject(f"le compte « {obj} » est inconnu dans « {org} »")
    return account, permission


def _answer(actor, permission: tuple[str, str, str], *refusals) -> AdminAnswer:
    """The engine's permission first, then each perimeter question in turn (callables, asked lazily)."""
    operation, obj, unit = permission
    refused = questions.permission_answer(actor, Permission(operation, obj), unit)
    if refused is not None:
        return refused
    for ask in refusals:
        refusal = ask()
        if refusal is not None:
            return questions.from_refusal(refusal)
    return GRANTED


def manage_account(actor, obj: str, org: str | None) -> AdminAnswer:
    account, permission = _account(obj, org)
    return _answer(actor, permission, lambda: perimeters.first_refusal(lambda p: p.account_refusal(actor, account)))


def grant_role(actor, obj: str, org: str | None) -> AdminAnswer:
    login, _sep, code = obj.rpartition("/")
    if not login:
        raise UnknownObject(f"« {obj} » ne désigne pas un compte et un rôle")
    account, permission = _account(login, org)
    role = questions.known_role(code)
    return _answer(
        actor, permission,
        lambda: perimeters.first_refusal(lambda p: p.account_refusal(actor, account)),
        lambda: perimeters.first_refusal(lambda p: p.account_role_refusal(actor, account, role)),
    )


def _organisation(unit: str) -> tuple[str, Fund | Partner | None]:
    """The organisation level and the organisation of an engine unit (national: None)."""
    if unit == NATIONAL_UNIT:
        return OrgLevel.NATIONAL, None
    kind, _sep, key = unit.partition(":")
    level, model = {"partner": (OrgLevel.PARTNER, Partner), "fund": (OrgLevel.FUND, Fund)}.get(kind, (None, None))
    if model is not None and key.isdigit() and len(key) < 19 and (found := model.objects.filter(pk=int(key)).first()):
        return level, found
    raise UnknownObject(f"l'organisme « {unit} » est inconnu")


def create_account(actor, obj: str, org: str | None) -> AdminAnswer:
    unit, _sep, codes = obj.partition("/")
    if org is not None and org != unit:
        raise UnknownObject(f"l'organisme « {unit} » est inconnu dans « {org} »")
    level, organisation = _organisation(unit)
    roles = [questions.known_role(code) for code in codes.split(",")] if codes else []
    return _answer(
        actor, account_management_permission(level, organisation),
        lambda: perimeters.first_refusal(lambda p: p.account_creation_refusal(actor, organisation, roles)),
    )


def register() -> None:
    questions.register(perimeters.MANAGE_ACCOUNT, manage_account)
    questions.register(perimeters.GRANT_ROLE, grant_role)
    questions.register(perimeters.CREATE_ACCOUNT, create_account)
