"""Policy documents that say everything and lose nothing (ENG-10): one registry of the stored sections.

A policy document (``habpps policy export``, ``GET /api/v1/politique``) is a set of top-level *sections*
(``roles``, ``assignments``, ``inheritance``, ``exclusions``…). Each section the platform stores registers here
how to **export** it (database → section content) and how to **import** it (section content → stored rows).
``habpps policy import`` (CLI and API) then:

1. validates the document with the engine (schema, then every rule replayed on a fresh engine);
2. refuses the whole document — French message, non-zero exit, API 422 — when a non-empty section has no
   importer, or an item carries a field its section does not store: never a silent "0 changes";
3. asks every section's ``check`` for the errors of its content against the directory (unknown account…), and
   refuses the document if any;
4. applies every section, in order, inside one ``policy_change`` (one transaction, one policy version, the
   change log, the engine's refusal rolling everything back), and journals the import.

Export → import → export gives the same document: an importer stores exactly what its exporter writes back.

How to register a section (engineers storing a part of the extended model)
--------------------------------------------------------------------------
In a module of your app (e.g. ``habpps/authorization/policy_sod_sections.py``), at import time::

    from habpps.authorization.policy_sections import ImportContext, register_section

    def _check(items: list[dict], ctx: ImportContext) -> list[str]:
        # French errors for what the directory cannot take (unknown profile…); [] when all is storable.
        return [f"Profil inconnu : « {i['ascendant']} »." for i in items if i["ascendant"] not in ctx.roles]

    def _apply(items: list[dict], ctx: ImportContext) -> None:
        # Make the stored rows exactly ``items`` (the document is the whole policy: an empty list removes
        # everything), through your administrative services so each change is journalled (before/after,
        # ``ctx.actor``) and touched for the change log. Count what changed: ctx.report.count("héritages", a, r).
        ...

    register_section("inheritance", label="l'héritage entre profils", check=_check, apply=_apply)

then add the module to `SECTION_MODULES` below. The exporter defaults to the section as the engine built from
the database holds it (`from_engine`): replay your rows in the policy build and the export follows. Give
``export=`` to read the database yourself (``export(ctx: ExportContext) -> list[dict]``, sorted, stable).

* ``fields``: the item fields the section stores (default: every field). A field outside it is refused.
  Another engineer can add fields to an existing section with `register_fields` — e.g. ``descends`` and
  ``max_users`` on ``roles``: ``register_fields("roles", {"descends", "max_users"}, check=..., apply=...)``.
  Until someone does, a document with ``descends: false`` is refused, not half-imported.
* ``derived=True`` (with `derived_section`): a section compiled from other records (``admin_roles`` and
  ``perimeters`` from validated conventions and delegations). Import accepts it only when it is identical to
  what the platform derives, and otherwise refuses with the French explanation you give (point to the page
  where it is really changed).
* ``order``: import order (defaults to the engine document's order, so that e.g. SSD sets come after the
  inheritance they depend on).

The core sections (orgs, roles, users, permissions, groups, assignments, group_assignments) are registered by
`habpps.authorization.policy_core_sections`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from habpps.engine.policy_schema import FORMAT

SECTION_MODULES: list[str] = [
    "habpps.authorization.policy_core_sections",
    "habpps.authorization.policy_derived_sections",
    "habpps.authorization.policy_sod_sections",
    "habpps.authorization.policy_scope_sections",
    "habpps.authorization.policy_authzen_sections",
]
"""Modules that register sections when imported (add yours)."""

CANONICAL_ORDER: tuple[str, ...] = (
    "orgs", "roles", "users", "permissions", "inheritance", "groups", "assignments", "group_assignments",
    "ssd_sets", "dsd_sets",
    "context_attributes", "context_constraints", "permission_constraints", "grant_constraints", "user_attributes",
    "activation_constraints",
    "temporal_constraints", "exclusions", "history_exclusions", "admin_roles", "admin_assignments",
    "delegations", "perimeters", "user_orgs", "populations", "field_rules", "action_limits",
)
"""The engine document's section order: export writes sections in it, import applies them in it."""

CORE_SECTIONS = frozenset(CANONICAL_ORDER[:10])
"""Sections every document carries, even empty (the engine's core); the others are written only when non-empty."""

SECTION_LABELS: dict[str, str] = {
    "orgs": "les unités organisationnelles",
    "roles": "les profils",
    "users": "les comptes",
    "permissions": "les permissions des profils",
    "inheritance": "l'héritage entre profils",
    "groups": "les groupes",
    "assignments": "les profils des comptes",
    "group_assignments": "les profils des groupes",
    "ssd_sets": "les ensembles de séparation statique des tâches",
    "dsd_sets": "les ensembles de séparation dynamique des tâches",
    "context_attributes": "les attributs de contexte",
    "context_constraints": "les contraintes contextuelles",
    "permission_constraints": "les conditions attachées aux permissions",
    "grant_constraints": "les conditions attachées à la permission d'un profil",
    "user_attributes": "les attributs des comptes",
    "activation_constraints": "les conditions d'activation des profils",
    "temporal_constraints": "les contraintes de temps (dates, horaires, jours)",
    "exclusions": "les exclusions graduées par le risque",
    "history_exclusions": "les exclusions sur l'historique (quatre yeux)",
    "admin_roles": "les rôles administratifs",
    "admin_assignments": "les affectations de rôles administratifs",
    "delegations": "les délégations",
    "perimeters": "les périmètres des conventions",
    "user_orgs": "les organismes des comptes",
    "populations": "les populations visibles par profil",
    "field_rules": "les droits sur les champs",
    "action_limits": "les limites d'action par profil",
}
"""French names of the sections, for messages (a section registered with a label overrides its entry)."""


class PolicyImportError(Exception):
    """The document cannot be stored as it is; ``errors`` lists every problem in French, nothing was applied."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportReport:
    """What an import changed, per kind of record: additions and removals."""

    added: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, added: int, removed: int) -> None:
        self.added[what] = self.added.get(what, 0) + added
        self.removed[what] = self.removed.get(what, 0) + removed


class ExportContext:
    """What exporters read: the engine built from the database (once) and its document."""

    @cached_property
    def rbac(self) -> Any:
        from habpps.authorization.policy_build import build_rbac

        return build_rbac()

    @cached_property
    def engine_document(self) -> dict[str, Any]:
        return self.rbac.export()


@dataclass
class ImportContext:
    """What checkers and importers share: the validated document, the actor, the report, directory lookups.

    ``document`` is the engine's canonical form of the document (``RBAC.load(doc).export()``): sorted, defaults
    left out, so an importer compares it with stored rows item for item. Lookups are built once, on first use.
    """

    document: dict[str, Any]
    actor: Any = None
    report: ImportReport = field(default_factory=ImportReport)
    extra: dict[str, Any] = field(default_factory=dict)
    """Free space for sections to share what they computed (e.g. ids of rows created by an earlier section)."""

    def section(self, key: str) -> list[dict[str, Any]]:
        return list(self.document.get(key) or [])

    @cached_property
    def now(self) -> Any:
        from django.utils import timezone

        return timezone.now()

    @cached_property
    def roles(self) -> dict[str, Any]:
        """Profile code → `ServiceRole` (not removed)."""
        from habpps.authorization.stored import ServiceRole, Status

        return {role.code: role for role in ServiceRole.objects.exclude(status=Status.REMOVED)}

    @cached_property
    def accounts(self) -> dict[str, Any]:
        """Login → `Account` (not removed)."""
        from habpps.authorization.stored import Account

        return {a.login: a for a in Account.objects.exclude(status="removed").select_related("partner", "fund")}

    @cached_property
    def groups(self) -> dict[str, Any]:
        """Engine group name (``group:<id>``) → `Group` (not removed)."""
        from habpps.authorization.orgs import group_name
        from habpps.authorization.stored import Group, Status

        return {group_name(g.pk): g for g in Group.objects.exclude(status=Status.REMOVED)}


Exporter = Callable[[ExportContext], list[dict[str, Any]]]
Checker = Callable[[list[dict[str, Any]], ImportContext], list[str]]
Applier = Callable[[list[dict[str, Any]], ImportContext], None]


@dataclass(frozen=True)
class FieldExtension:
    """Fields another engineer stores on an existing section's items, with their own check and apply."""

    fields: frozenset[str]
    check: Checker | None = None
    apply: Applier | None = None


@dataclass
class PolicySection:
    key: str
    label: str
    export: Exporter
    check: Checker | None
    apply: Applier | None
    fields: frozenset[str] | None = None
    """Item fields stored; None: every field the schema allows."""
    order: int = 0
    derived: bool = False
    extensions: list[FieldExtension] = field(default_factory=list)

    @property
    def stored_fields(self) -> frozenset[str] | None:
        if self.fields is None:
            return None
        extra: set[str] = set()
        for extension in self.extensions:
            extra |= extension.fields
        return self.fields | extra

    @property
    def importable(self) -> bool:
        return self.apply is not None


_REGISTRY: dict[str, PolicySection] = {}


def from_engine(key: str) -> Exporter:
    """The exporter reading section ``key`` from the engine the policy build made from the database."""

    def export(ctx: ExportContext) -> list[dict[str, Any]]:
        return list(ctx.engine_document.get(key) or [])

    export.__doc__ = f"Section « {key} » as the engine built from the database holds it."
    return export


def register_section(
    key: str, *, label: str | None = None, check: Checker | None = None, apply: Applier | None = None,
    export: Exporter | None = None, fields: Iterable[str] | None = None, order: int | None = None,
    derived: bool = False,
) -> PolicySection:
    """Register (or replace) how section ``key`` is exported and imported. See the module's docstring."""
    if order is None:
        order = CANONICAL_ORDER.index(key) if key in CANONICAL_ORDER else len(CANONICAL_ORDER)
    previous = _REGISTRY.get(key)
    section = PolicySection(
        key=key, label=label or SECTION_LABELS.get(key, key), export=export or from_engine(key), check=check,
        apply=apply, fields=None if fields is None else frozenset(fields), order=order, derived=derived,
        extensions=list(previous.extensions) if previous else [],
    )
    _REGISTRY[key] = section
    return section


def register_fields(key: str, fields: Iterable[str], *, check: Checker | None = None,
                    apply: Applier | None = None) -> None:
    """Store more fields of an existing section's items (``check``/``apply`` get the section's whole items and
    run after the section's own). Registering the same fields twice replaces the earlier extension."""
    load_sections()
    section = _REGISTRY[key]
    wanted = frozenset(fields)
    section.extensions = [e for e in section.extensions if e.fields != wanted]
    section.extensions.append(FieldExtension(wanted, check, apply))


def derived_section(key: str, *, label: str | None = None, explanation: str,
                    export: Exporter | None = None) -> PolicySection:
    """Register a section compiled from other records (e.g. ``admin_roles`` from validated conventions and
    delegations): import accepts its content when identical to what the platform derives, and refuses it
    otherwise with ``explanation`` (French, saying where it is really changed)."""

    def check(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
        current = (export or from_engine(key))(ExportContext())
        if _canonical(items) == _canonical(current):
            return []
        return [f"La section « {key} » ({label or SECTION_LABELS.get(key, key)}) ne s'importe pas telle "
                f"quelle : {explanation}"]

    return register_section(key, label=label, check=check, apply=lambda items, ctx: None, export=export,
                            derived=True)


def _canonical(items: list[dict[str, Any]]) -> list[str]:
    import json

    return sorted(json.dumps(item, sort_keys=True, ensure_ascii=False) for item in items)


_loaded = False


def load_sections() -> None:
    """Import every module of `SECTION_MODULES` once (they register their sections)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in SECTION_MODULES:
        importlib.import_module(module)


def sections() -> list[PolicySection]:
    """Every registered section, in import order."""
    load_sections()
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.key))


def section(key: str) -> PolicySection | None:
    load_sections()
    return _REGISTRY.get(key)


# -- export ------------------------------------------------------------------------------------------------------
def export_document(ctx: ExportContext | None = None) -> dict[str, Any]:
    """The policy the platform stores, every section of it: core sections always, the others when non-empty.

    A section the engine holds but nobody registered is written too (the export never hides anything); the
    import will then refuse it, which is how a missing importer shows up."""
    ctx = ctx or ExportContext()
    contents: dict[str, list[dict[str, Any]]] = {s.key: s.export(ctx) for s in sections()}
    for key, value in ctx.engine_document.items():
        if key != "format" and key not in contents and value:
            contents[key] = list(value)
    order = {key: i for i, key in enumerate(CANONICAL_ORDER)}
    doc: dict[str, Any] = {"format": FORMAT}
    for key in sorted(contents, key=lambda k: (order.get(k, len(order)), k)):
        if key in CORE_SECTIONS or contents[key]:
            doc[key] = contents[key]
    return doc


# -- import -------------------------------------------------------------------------------------------------------
def canonical_document(document: Any) -> dict[str, Any]:
    """The engine's canonical form of ``document`` (raises `PolicyDocumentError` listing every problem)."""
    from habpps.engine import RBAC

    return RBAC.load(document).export()


def refusals(wanted: Mapping[str, Any]) -> list[str]:
    """Why the platform cannot store this (canonical) document as it is: sections without importer, fields
    not stored. Empty when every non-empty section and every field has a home."""
    errors: list[str] = []
    for key, items in wanted.items():
        if key == "format" or not items:
            continue
        registered = section(key)
        label = registered.label if registered else SECTION_LABELS.get(key, key)
        if registered is None or not registered.importable:
            errors.append(
                f"La plateforme ne stocke pas encore la section « {key} » ({label}) : le document en contient "
                f"{len(items)} élément(s). Retirez-la du document ou attendez qu'elle soit prise en charge ; "
                "rien n'est appliqué.")
            continue
        stored = registered.stored_fields
        if stored is None:
            continue
        unstored: dict[str, list[int]] = {}
        for index, item in enumerate(items):
            for name in sorted(set(item) - stored):
                unstored.setdefault(name, []).append(index)
        for name, indexes in sorted(unstored.items()):
            where = ", ".join(f"/{key}/{i}" for i in indexes[:5]) + (" …" if len(indexes) > 5 else "")
            errors.append(
                f"La plateforme ne stocke pas le champ « {name} » de la section « {key} » ({label}) : "
                f"{len(indexes)} élément(s) le donnent ({where}) ; rien n'est appliqué.")
    return errors


def check_document(ctx: ImportContext) -> list[str]:
    """Every reason the document cannot be stored: refusals, then each section's own checks."""
    errors = refusals(ctx.document)
    if errors:
        return errors
    for registered in sections():
        items = ctx.section(registered.key)
        if registered.check is not None:
            errors += registered.check(items, ctx)
        for extension in registered.extensions:
            if extension.check is not None:
                errors += extension.check(items, ctx)
    return errors


def import_document(document: Any, actor: Any = None) -> ImportReport:
    """Store ``document``: validated by the engine, refused whole (`PolicyImportError`) when any part cannot be
    stored, else applied section by section in one ``policy_change`` and journalled."""
    from habpps.authorization.orgs import scope_path
    from habpps.authorization.policy_cache import policy_change
    from habpps.journal.services import record_event

    ctx = ImportContext(canonical_document(document), actor=actor)
    errors = check_document(ctx)
    if errors:
        raise PolicyImportError(errors)
    with policy_change():
        for registered in sections():
            items = ctx.section(registered.key)
            if registered.apply is not None:
                registered.apply(items, ctx)
            for extension in registered.extensions:
                if extension.apply is not None:
                    extension.apply(items, ctx)
        record_event(
            "admin.policy.import",
            actor=actor,
            org_scope=scope_path(),
            target="policy",
            data={"added": ctx.report.added, "removed": ctx.report.removed},
        )
    return ctx.report
