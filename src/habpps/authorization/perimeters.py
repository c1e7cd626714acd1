"""Bounds that other apps put on what may be done to a partner's groups and accounts (CNV-1, CNV-2, ADM-4).

The directory knows groups, their profiles and their members; which profiles a partner may use, for how many
users, and which part of the partner each of its administrators may manage are decided by the apps built on it:
the partner's validated convention and the sub-perimeter its administrator delegated. Those apps import the
directory, so the directory cannot import them: each registers a ``Perimeter`` here from its
``AppConfig.ready`` (as menu entries are registered), and the directory's services consult every registered
perimeter before a change, inside the change's transaction. The web pages, the API and the command line all go
through those services, so no entry point can step outside a perimeter.

A perimeter answers with a refusal — any object with a stable ``code`` and a French ``message`` — or None; the
services raise the first refusal as a ``ValidationError`` next to the field it concerns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit, group_name, partner_unit

if TYPE_CHECKING:
    from collections.abc import Sequence

    from habpps.accounts.models import Account
    from habpps.directory.models import Fund, Group, Partner, ServiceRole


# The administrative operations a refusal is journalled under, and the decision API answers
# (`habpps.authorization.admin_questions`): French verbs, as the engine's operations are.
CREATE_GROUP = "creer-groupe"
MANAGE_GROUP = "gerer-groupe"
REACTIVATE_GROUP = "reactiver-groupe"
ASSIGN_PROFILE = "attribuer-profil"
WITHDRAW_PROFILE = "retirer-profil"
ADD_MEMBER = "ajouter-membre"
REMOVE_MEMBER = "retirer-membre"
CREATE_ACCOUNT = "creer-compte"
MANAGE_ACCOUNT = "gerer-compte"
REACTIVATE_ACCOUNT = "reactiver-compte"
GRANT_ROLE = "attribuer-role"


class Refusal(Protocol):
    """Why a change is outside a perimeter: a stable code for tests and the journal, a French message."""

    code: str
    message: str


@dataclass(frozen=True)
class Fact:
    """A plain fact of the directory that refuses a change before any perimeter is asked (not a rule: no
    administrator can change it); the services and the decision API's administrative questions both read it here."""

    code: str
    message: str


def group_profile_fact(role: ServiceRole) -> Fact | None:
    """An administrative role never goes to a group (it is an account's, ENG-12)."""
    if role.account_level:
        return Fact("administrative_role", _("Un rôle d'administration ne s'attribue pas à un groupe."))
    return None


def group_member_fact(group: Group, account: Account) -> Fact | None:
    """A group's members are accounts of its own partner."""
    if account.partner_id != group.partner_id:
        return Fact("membership_partner", _("Ce compte n'appartient pas à l'organisme du groupe."))
    return None


class Perimeter:
    """A bound on changes to a partner's groups and accounts; every method allows by default (returns None).

    ``actor`` is the account acting, or None for the system (demo seeding, imports): a perimeter that bounds
    people (delegation) lets the system through, one that bounds the partner (its convention) does not.
    """

    name = "perimeter"

    def group_creation_refusal(self, actor: Account | None, partner: Partner) -> Refusal | None:
        """Whether ``actor`` may create a group in ``partner``."""
        return None

    def group_refusal(self, actor: Account | None, group: Group) -> Refusal | None:
        """Whether ``actor`` may manage ``group`` at all: see it, rename it, change its status."""
        return None

    def reactivation_refusal(self, actor: Account | None, group: Group) -> Refusal | None:
        """Whether ``group`` may come back in force: its members would hold its profiles again."""
        return None

    def profile_refusal(self, actor: Account | None, group: Group, role: ServiceRole) -> Refusal | None:
        """Whether ``actor`` may give ``role`` to ``group``."""
        return None

    def profile_removal_refusal(
        self, actor: Account | None, group: Group, role: ServiceRole
    ) -> Refusal | None:
        """Whether ``actor`` may take ``role`` away from ``group``."""
        return None

    def membership_refusal(self, actor: Account | None, group: Group, account: Account) -> Refusal | None:
        """Whether ``actor`` may put ``account`` in ``group`` (it then holds the group's profiles)."""
        return None

    def member_removal_refusal(self, actor: Account | None, group: Group, account: Account) -> Refusal | None:
        """Whether ``actor`` may take ``account`` out of ``group``."""
        return None

    def account_creation_refusal(
        self, actor: Account | None, organisation: Fund | Partner | None, roles: Sequence[ServiceRole]
    ) -> Refusal | None:
        """Whether ``actor`` may create an account in ``organisation`` holding the administrative ``roles``."""
        return None

    def account_refusal(self, actor: Account | None, account: Account) -> Refusal | None:
        """Whether ``actor`` may change ``account``: its status, its administrative roles."""
        return None

    def account_reactivation_refusal(self, actor: Account | None, account: Account) -> Refusal | None:
        """Whether ``account`` may come back in force: it would hold its groups' profiles again."""
        return None

    def account_role_refusal(
        self, actor: Account | None, account: Account, role: ServiceRole
    ) -> Refusal | None:
        """Whether ``actor`` may give ``account`` the administrative ``role``, or take it away."""
        return None


_registry: dict[str, Perimeter] = {}


def register(perimeter: Perimeter) -> Perimeter:
    """Add (or replace, by name: ``ready`` may run twice) a perimeter the directory's services consult."""
    _registry[perimeter.name] = perimeter
    return perimeter


def registered() -> tuple[Perimeter, ...]:
    """The perimeters in force, in registration order."""
    return tuple(_registry.values())


def first_refusal(ask: Callable[[Perimeter], Refusal | None]) -> Refusal | None:
    """The first refusal of the registered perimeters to the question ``ask`` puts to each, or None."""
    for perimeter in _registry.values():
        refusal = ask(perimeter)
        if refusal is not None:
            return refusal
    return None


def raise_refusal(
    refusal: Refusal | None,
    field: str | None = None,
    *,
    actor: Account | None = None,
    question: tuple[str, str, str | None] | None = None,
) -> None:
    """Raise ``refusal`` as a ``ValidationError`` (next to ``field`` when given); nothing when it is None.

    ``question`` — ``(operation, object, org)`` as the decision API takes it (`habpps.authorization.admin_questions`)
    — journals the refusal in the journal of refusals first, with the engine's reason and the message shown."""
    if refusal is None:
        return
    if question is not None:
        from habpps.authorization.refusal_journal import journal_refusal

        operation, obj, org = question
        reason = getattr(refusal, "reason", None) or refusal.code
        journal_refusal(actor, operation=operation, obj=obj, org=org, reason=reason, message=refusal.message,
                        code=refusal.code)
    error = ValidationError(refusal.message, code=refusal.code)
    raise ValidationError({field: error}) if field else error


# The administrative questions, named as the decision API asks them and the journal of refusals records them --------


def group_question(operation: str, group: Group, item: str | None = None) -> tuple[str, str, str]:
    """``(operation, "group:<id>[/<item>]", partner unit)``: a change to a partner's group (``item``: a profile's
    code or an account's login)."""
    obj = group_name(group.pk) + (f"/{item}" if item else "")
    return operation, obj, partner_unit(group.partner_id)


def account_question(operation: str, account: Account, item: str | None = None) -> tuple[str, str, str]:
    """``(operation, "<login>[/<role code>]", the account's unit)``: a change to an account."""
    unit = (account.org_scope or NATIONAL_UNIT).rsplit("/", 1)[-1]
    return operation, account.login + (f"/{item}" if item else ""), unit


def _unit_of(organisation: Fund | Partner | None) -> str:
    if organisation is None:
        return NATIONAL_UNIT
    kind = organisation._meta.model_name
    return partner_unit(organisation.pk) if kind == "partner" else fund_unit(organisation.pk)


# Questions the pages ask before showing a group or a form ------------------------------------------------------


def group_creation_refusal(actor: Account | None, partner: Partner) -> Refusal | None:
    return first_refusal(lambda p: p.group_creation_refusal(actor, partner))


def group_refusal(actor: Account | None, group: Group) -> Refusal | None:
    return first_refusal(lambda p: p.group_refusal(actor, group))


# The checks the directory's services make, one per kind of change: each refusal is journalled -------------------


def check_group_creation(actor: Account | None, partner: Partner) -> None:
    unit = partner_unit(partner.pk)
    raise_refusal(group_creation_refusal(actor, partner), actor=actor, question=(CREATE_GROUP, unit, unit))


def check_group(actor: Account | None, group: Group) -> None:
    raise_refusal(group_refusal(actor, group), actor=actor, question=group_question(MANAGE_GROUP, group))


def check_reactivation(actor: Account | None, group: Group) -> None:
    raise_refusal(first_refusal(lambda p: p.reactivation_refusal(actor, group)), actor=actor,
                  question=group_question(REACTIVATE_GROUP, group))


def check_profile(actor: Account | None, group: Group, role: ServiceRole) -> None:
    raise_refusal(first_refusal(lambda p: p.profile_refusal(actor, group, role)), "role", actor=actor,
                  question=group_question(ASSIGN_PROFILE, group, role.code))


def check_profile_removal(actor: Account | None, group: Group, role: ServiceRole) -> None:
    raise_refusal(first_refusal(lambda p: p.profile_removal_refusal(actor, group, role)), "role", actor=actor,
                  question=group_question(WITHDRAW_PROFILE, group, role.code))


def check_profile_fact(actor: Account | None, group: Group, role: ServiceRole) -> None:
    """`group_profile_fact`, refused and journalled as the perimeters' refusals are."""
    raise_refusal(group_profile_fact(role), "role", actor=actor,
                  question=group_question(ASSIGN_PROFILE, group, role.code))


def check_member_fact(actor: Account | None, group: Group, account: Account) -> None:
    """`group_member_fact`, refused and journalled as the perimeters' refusals are."""
    raise_refusal(group_member_fact(group, account), "account", actor=actor,
                  question=group_question(ADD_MEMBER, group, account.login))


def check_membership(actor: Account | None, group: Group, account: Account) -> None:
    raise_refusal(first_refusal(lambda p: p.membership_refusal(actor, group, account)), "account", actor=actor,
                  question=group_question(ADD_MEMBER, group, account.login))


def check_member_removal(actor: Account | None, group: Group, account: Account) -> None:
    raise_refusal(first_refusal(lambda p: p.member_removal_refusal(actor, group, account)), "account",
                  actor=actor, question=group_question(REMOVE_MEMBER, group, account.login))


def check_account_creation(
    actor: Account | None, organisation: Fund | Partner | None, roles: Sequence[ServiceRole]
) -> None:
    raise_refusal(first_refusal(lambda p: p.account_creation_refusal(actor, organisation, roles)), "roles",
                  actor=actor, question=account_creation_question(organisation, roles))


def account_creation_question(
    organisation: Fund | Partner | None, roles: Sequence[ServiceRole]
) -> tuple[str, str, str]:
    """``("creer-compte", "<unit>[/<code>,<code>…]", unit)``: an account created in an organisation's unit, holding
    the administrative roles named after the slash (sorted)."""
    unit = _unit_of(organisation)
    codes = ",".join(sorted(role.code for role in roles))
    return CREATE_ACCOUNT, unit + (f"/{codes}" if codes else ""), unit


def check_account(actor: Account | None, account: Account) -> None:
    raise_refusal(first_refusal(lambda p: p.account_refusal(actor, account)), actor=actor,
                  question=account_question(MANAGE_ACCOUNT, account))


def check_account_reactivation(actor: Account | None, account: Account) -> None:
    raise_refusal(first_refusal(lambda p: p.account_reactivation_refusal(actor, account)), actor=actor,
                  question=account_question(REACTIVATE_ACCOUNT, account))


def check_account_role(actor: Account | None, account: Account, role: ServiceRole) -> None:
    raise_refusal(first_refusal(lambda p: p.account_role_refusal(actor, account, role)), "role", actor=actor,
                  question=account_question(GRANT_ROLE, account, role.code))
