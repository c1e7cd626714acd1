"""Who may see and act on a convention, decided by the engine in the convention's fund or partner unit."""

from __future__ import annotations

from django.http import Http404

from habpps.authorization.decisions import is_allowed
from habpps.authorization.orgs import fund_unit, partner_unit
from habpps.conventions.models import Convention
from habpps.conventions.permissions import (
    ENTER_CONVENTIONS,
    MANAGE_PARTNER_ACCOUNTS,
    READ_CONVENTIONS,
    VERIFY_CONVENTIONS,
)


def may_enter(user, fund_id: int) -> bool:
    return is_allowed(user, *ENTER_CONVENTIONS, fund_unit(fund_id))


def may_verify_in(user, fund_id: int) -> bool:
    return is_allowed(user, *VERIFY_CONVENTIONS, fund_unit(fund_id))


def may_read_in(user, fund_id: int) -> bool:
    """Reading only (the national administrator): every action of the page asks for its own permission."""
    return is_allowed(user, *READ_CONVENTIONS, fund_unit(fund_id))


def may_read(user, convention: Convention) -> bool:
    """The fund's administrators and verifiers, whoever reads the fund's conventions, and the partner's own
    administrators (read only)."""
    if (
        may_enter(user, convention.fund_id)
        or may_verify_in(user, convention.fund_id)
        or may_read_in(user, convention.fund_id)
    ):
        return True
    return user.partner_id == convention.partner_id and is_allowed(
        user, *MANAGE_PARTNER_ACCOUNTS, partner_unit(convention.partner_id)
    )


def readable_convention(user, pk: int) -> Convention:
    """The convention, or a 404 for anyone outside its scope (its existence is not revealed)."""
    convention = Convention.objects.select_related("partner__partner_type", "fund").filter(pk=pk).first()
    if convention is None or not may_read(user, convention):
        raise Http404
    return convention
