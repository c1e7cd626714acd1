"""Previewing a model's attribute-driven assignment rules (RE-7) on real or described users, before applying.

Users' attributes come from the directory — each account's level, fund, partner type and partner unit, under
the names the worked examples' rules use — completed or overridden by lines an analyst types, one user a line:
``login attribut=valeur attribut=valeur``. The preview compares what the rules of another model (or none)
would give with what this model's rules give: per user, roles and permissions gained and lost. Applying writes
the derived hierarchy, the users and the rule-made assignments into an engine policy document to download —
the live directory is changed only by its own services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from habpps.authorization.policy_build import account_unit, accounts_in_force
from habpps.engine import RBAC
from habpps.roleeng.assignment_rules import AssignmentChange, apply_change, preview_rules_change
from habpps.roleeng.engine_import import import_hierarchy
from habpps.roleeng.model import AssignmentRule
from habpps.workbench.documents import Workspace

Attributes = dict[str, object]


@dataclass(frozen=True)
class AttributeLineError(ValueError):
    line: int
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.message}"


def parse_attribute_lines(text: str) -> dict[str, Attributes]:
    """``login attr=valeur …`` lines → login → attributes; blank lines and ``#`` comments skipped."""
    users: dict[str, Attributes] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = line.split()
        if not tokens or tokens[0].startswith("#"):
            continue
        login, pairs = tokens[0], tokens[1:]
        if "=" in login:
            raise AttributeLineError(
                number, f"l'identifiant de l'utilisateur doit venir en premier : « {login} »"
            )
        attributes = users.setdefault(login, {})
        for pair in pairs:
            name, equals, value = pair.partition("=")
            if not equals or not name or not value:
                raise AttributeLineError(number, f"« {pair} » n'est pas de la forme attribut=valeur")
            attributes[name] = value
    return users


def directory_attributes() -> dict[str, Attributes]:
    """The attributes the directory knows of each account in force."""
    users: dict[str, Attributes] = {}
    accounts = accounts_in_force().select_related("fund", "partner__fund", "partner__partner_type")
    for account in accounts.order_by("login"):
        attributes: Attributes = {"niveau": account.org_level}
        fund = account.partner.fund if account.partner_id else account.fund
        if fund is not None:
            attributes["caisse"] = fund.code
        if account.partner_id:
            attributes["type_partenaire"] = account.partner.partner_type.code
            attributes["partenaire"] = account_unit(account.org_level, account.fund_id, account.partner_id)
        attributes["unite"] = account_unit(account.org_level, account.fund_id, account.partner_id)
        users[account.login] = attributes
    return users


def merged_attributes(typed: Mapping[str, Attributes], *, from_directory: bool) -> dict[str, Attributes]:
    """Directory attributes (when asked) with the typed ones added, a typed value winning."""
    users = directory_attributes() if from_directory else {}
    for login, attributes in typed.items():
        users.setdefault(login, {}).update(attributes)
    return users


def preview(
    workspace: Workspace, users: Mapping[str, Attributes], rules_before: Iterable[AssignmentRule] = ()
) -> list[AssignmentChange]:
    """Who would gain or lose which roles and permissions going from ``rules_before`` to the model's rules."""
    hierarchy = workspace.hierarchy
    known = set(hierarchy.roles)
    return preview_rules_change(
        users,
        rules_before,
        workspace.model.assignment_rules,
        lambda role: hierarchy.permissions(role) if role in known else frozenset(),
    )


def applied_policy(workspace: Workspace, changes: Iterable[AssignmentChange]) -> dict:
    """The engine policy document of the derived hierarchy with the previewed assignments made."""
    rbac = import_hierarchy(workspace.hierarchy, RBAC())
    changes = list(changes)
    for org in sorted({a.org for change in changes for a in change.gained if a.org}):
        rbac.add_org(org)
    for change in changes:
        apply_change(rbac, change)
    return rbac.export()
