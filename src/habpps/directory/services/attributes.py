"""What conditions read about a person (ENG-5 contextual constraints): an account's attributes (`AccountAttributes`).

A contextual constraint may compare an attribute *of the person who asks* — a declared network, a department —
that the national administrator declared on the page of contextual constraints (a context attribute read by
« attribut de la personne qui demande », with its type). This module lets whoever administers the account give it
those values, one by one: the engine decides who may (``account_management_permission`` in the account's unit,
then the delegation perimeters — exactly as for the account's period of access), the value is checked against the
declared type by the engine's own coercion (« « 10.1.0.0/33 » n'est pas un(e) réseau IP »), stored in its
canonical form, journalled before/after and replayed into the engine by the ``policy_change`` (the table has
change-capture triggers; the engine lays these stored values over those a request carries). ``habpps policy
export`` writes them in ``user_attributes``.

Only attributes a constraint can read are offered: a value under a name no context attribute reads would never
change a decision. One already stored under such a name (from a policy document) is still shown and may be removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from habpps.accounts.models import Account
from habpps.authorization import perimeters
from habpps.authorization.decisions import authorize
from habpps.authorization.model_services import engine_checked
from habpps.authorization.models import AccountAttributes, ContextAttribute
from habpps.authorization.policy_cache import policy_change
from habpps.directory.records import target_of
from habpps.directory.services.accounts import account_management_permission
from habpps.engine.context import coerce, plain, show
from habpps.journal.services import record_event

SUBJECT_FUNCTION = "subject_attribute"

DOMAIN_HINTS = {
    "bool": gettext_lazy("oui ou non"),
    "int": gettext_lazy("un nombre entier"),
    "decimal": gettext_lazy("un nombre"),
    "string": gettext_lazy("un texte"),
    "date": gettext_lazy("une date (AAAA-MM-JJ)"),
    "time": gettext_lazy("une heure (HH:MM)"),
    "datetime": gettext_lazy("une date et une heure (AAAA-MM-JJ HH:MM)"),
    "ip_address": gettext_lazy("une adresse IP (ex. 10.20.1.5)"),
    "ip_network": gettext_lazy("un réseau IP (ex. 10.20.0.0/16)"),
    "set": gettext_lazy("des textes séparés par des virgules"),
}


@dataclass(frozen=True)
class SubjectAttribute:
    """One value a person may be given: its key in ``user_attributes``, its name in French, its type."""

    key: str
    label: str
    domain: str

    @property
    def hint(self) -> str:
        return str(DOMAIN_HINTS.get(self.domain, ""))


def subject_attributes() -> dict[str, SubjectAttribute]:
    """The person's attributes that context attributes read, by key (the first declared name labels it)."""
    found: dict[str, SubjectAttribute] = {}
    for row in ContextAttribute.objects.filter(function=SUBJECT_FUNCTION).order_by("name"):
        if row.parameter and row.parameter not in found:
            found[row.parameter] = SubjectAttribute(row.parameter, row.name, row.domain or "string")
    return found


def account_attributes(account: Account) -> dict[str, Any]:
    """The values stored for ``account`` (empty: none)."""
    row = AccountAttributes.objects.filter(account=account).first()
    return dict(row.attributes) if row else {}


def describe(account: Account, declared: dict[str, SubjectAttribute] | None = None) -> list[dict[str, Any]]:
    """The account's attributes as a page or the API shows them: key, French name, value, value in words."""
    declared = subject_attributes() if declared is None else declared
    items = []
    for key, value in sorted(account_attributes(account).items()):
        attribute = declared.get(key)
        items.append({
            "name": key,
            "label": attribute.label if attribute else key,
            "value": value,
            "shown": shown(value),
            "read_by_a_constraint": attribute is not None,
        })
    return items


def shown(value: Any) -> str:
    """A stored value in words (a list: « a, b »; a boolean: « oui » / « non »)."""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return show(value)


def parse_text(domain: str, text: str) -> Any:
    """A value typed in a form, in the JSON form the API would send (the engine checks the type after)."""
    text = text.strip()
    if domain == "bool":
        lowered = text.lower()
        if lowered in ("oui", "vrai", "true", "1"):
            return True
        if lowered in ("non", "faux", "false", "0"):
            return False
        return text
    if domain == "int":
        try:
            return int(text)
        except ValueError:
            return text
    if domain == "set":
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def checked_value(name: str, value: Any, declared: dict[str, SubjectAttribute] | None = None) -> Any:
    """``value`` in the canonical form of the declared type of ``name``, or a French refusal (the engine's
    coercion decides, as it will at every decision)."""
    declared = subject_attributes() if declared is None else declared
    attribute = declared.get(name)
    if attribute is None:
        raise ValidationError(
            {"name": _("Aucune contrainte ne lit un attribut de la personne nommé « %(name)s » : déclarez-le "
                       "d'abord sur la page des contraintes contextuelles.") % {"name": name}},
            code="unknown_attribute")
    if value is None or value == "" or value == []:
        raise ValidationError({"value": _("Donnez une valeur à « %(label)s ».") % {"label": attribute.label}},
                              code="missing_value")
    try:
        typed = coerce(attribute.domain, value)
    except ValueError as error:
        raise ValidationError(
            {"value": _("%(error)s ; « %(label)s » attend %(hint)s.") % {
                "error": error, "label": attribute.label, "hint": attribute.hint}},
            code="wrong_type") from error
    return plain(attribute.domain, typed)


def set_account_attribute(actor, account: Account, name: str, value: Any) -> dict[str, Any]:
    """Give ``account`` the value ``value`` of the attribute ``name`` (added or changed); returns the former
    attributes."""
    _authorize(actor, account)
    canonical = checked_value(name, value)
    return _change(actor, account, lambda values: {**values, name: canonical})


def remove_account_attribute(actor, account: Account, name: str) -> dict[str, Any]:
    """Take the attribute ``name`` from ``account``; returns the former attributes."""
    _authorize(actor, account)
    if name not in account_attributes(account):
        raise ValidationError(_("Ce compte n'a pas d'attribut « %(name)s ».") % {"name": name}, code="no_attribute")
    return _change(actor, account, lambda values: {k: v for k, v in values.items() if k != name})


def _authorize(actor, account: Account) -> None:
    authorize(actor, *account_management_permission(account.org_level, account.organisation))
    if actor is not None and actor.pk == account.pk:
        # Declaring one's own network would open what a constraint closes.
        raise ValidationError(_("On ne peut pas modifier les attributs de son propre compte."), code="self_attributes")


def _change(actor, account: Account, mutate) -> dict[str, Any]:
    def change() -> dict[str, Any]:
        with policy_change():
            perimeters.check_account(actor, account)
            row = AccountAttributes.objects.select_for_update().filter(account=account).first()
            before = dict(row.attributes) if row else {}
            after = mutate(dict(before))
            if after == before:
                return before
            if not after:
                row.delete()
            else:
                row = row or AccountAttributes(account=account)
                row.attributes = after
                row.changed_at, row.changed_by = timezone.now(), actor if getattr(actor, "pk", None) else None
                row.save()
            record_event("admin.account.attributes", actor=actor, org_scope=account.org_scope,
                         target=target_of(account), before={"attributes": before}, after={"attributes": after})
        return before

    return engine_checked(change)
