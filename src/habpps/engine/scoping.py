"""Data scoping (ENG-8, thesis 3.1.4 and 3.2 — HR Access's population, information and action profiles).

- *Population rules* say which records a subject may see, per role and resource: all of them, those of the
  role instance's org unit (or that unit and below), the subject's own file, an explicit list. A role may have
  several, one of them the default; they are parameterised by the role instance (the org unit of the
  assignment). They compile to a `RecordFilter`, a Django-free description of a query filter that an adapter
  turns into a Django ``Q`` (`habpps.authorization.scoping_q.to_q`), so that a list page intersects its own query
  with it and never loads what it must not show.
- *Information rules* give each field of a resource an access level (``forbidden``, ``read``, ``write``),
  statically or dynamically: a dynamic rule applies when a context constraint holds on the subject's (or the
  record's) attributes — the grade decides whether the salary is visible. Anything not listed is forbidden.
- *Action limits* bound what one action may touch: max records per query (beyond it *nothing* is selected —
  all or nothing, never truncation), a confirmation threshold, a max execution time, a max per day (its counter
  lives outside the snapshot, behind `habpps.engine.limits.ActionCounter`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from habpps.engine.errors import InvalidArgument

POPULATION_KINDS = ("all", "org_unit", "org_subtree", "own_file", "explicit")
ACCESS_LEVELS = ("forbidden", "read", "write")
_ACCESS_RANK = {level: rank for rank, level in enumerate(ACCESS_LEVELS)}


# -- record filters: a Django-free description of a query filter --------------------------------------------------
@dataclass(frozen=True)
class RecordFilter:
    """Base of the filter description. ``matches`` evaluates it on a plain record (a mapping)."""

    def matches(self, record: Mapping[str, Any]) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class Everything(RecordFilter):
    """Every record of the resource."""

    def matches(self, record: Mapping[str, Any]) -> bool:
        return True


@dataclass(frozen=True)
class Nothing(RecordFilter):
    """No record at all (closed policy: no population rule applies)."""

    def matches(self, record: Mapping[str, Any]) -> bool:
        return False


@dataclass(frozen=True)
class FieldIn(RecordFilter):
    """Records whose ``field`` takes one of ``values``."""

    field: str
    values: frozenset[Any]

    def matches(self, record: Mapping[str, Any]) -> bool:
        return record.get(self.field) in self.values


@dataclass(frozen=True)
class AnyOf(RecordFilter):
    """Records matching at least one part (the union of the populations of several role instances)."""

    parts: tuple[RecordFilter, ...]

    def matches(self, record: Mapping[str, Any]) -> bool:
        return any(part.matches(record) for part in self.parts)


def union(filters: Iterable[RecordFilter]) -> RecordFilter:
    """The simplest filter equal to the union of ``filters``: Everything absorbs, Nothing vanishes, value lists
    on the same field merge."""
    by_field: dict[str, set[Any]] = {}
    for item in filters:
        if isinstance(item, Everything):
            return item
        if isinstance(item, FieldIn):
            by_field.setdefault(item.field, set()).update(item.values)
        elif isinstance(item, AnyOf):
            nested = union(item.parts)
            if isinstance(nested, Everything):
                return nested
            for part in nested.parts if isinstance(nested, AnyOf) else (nested,):
                if isinstance(part, FieldIn):
                    by_field.setdefault(part.field, set()).update(part.values)
    parts = tuple(FieldIn(name, frozenset(values)) for name, values in sorted(by_field.items()) if values)
    if not parts:
        return Nothing()
    return parts[0] if len(parts) == 1 else AnyOf(parts)


# -- rules --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PopulationRule:
    """One population of a role on a resource (thesis 3.2.1: « on peut définir plusieurs populations … et en
    spécifier certaines comme étant la population par défaut »)."""

    name: str
    kind: str
    field: str | None = None
    values: frozenset[str] = frozenset()
    attribute: str | None = None
    """For ``own_file``: the subject attribute holding the subject's own file number."""
    default: bool = False

    @classmethod
    def build(cls, name: str, kind: str, field: str | None = None, values: Iterable[str] | None = None,
              attribute: str | None = None, default: bool = False) -> PopulationRule:
        if kind not in POPULATION_KINDS:
            raise InvalidArgument(f"Type de population inconnu « {kind} » (connus : {', '.join(POPULATION_KINDS)}).",
                                  code="unknown_population_kind")
        if kind != "all" and not (isinstance(field, str) and field.strip()):
            raise InvalidArgument(f"Une population « {kind} » filtre un champ : « field » est obligatoire.",
                                  code="missing_field")
        if kind == "own_file" and not (isinstance(attribute, str) and attribute.strip()):
            raise InvalidArgument("Une population « own_file » lit le numéro du sujet dans un attribut : "
                                  "« attribute » est obligatoire.", code="missing_attribute")
        if kind == "explicit":
            if values is None or isinstance(values, (str, bytes)):
                raise InvalidArgument("Une population « explicit » donne sa liste de valeurs.", code="missing_values")
            values = frozenset(values)
        elif values:
            raise InvalidArgument("Seule une population « explicit » a une liste de valeurs.",
                                  code="unexpected_values")
        if not isinstance(default, bool):
            raise InvalidArgument("« default » est un booléen.", code="wrong_type")
        return cls(name, kind, None if kind == "all" else field, frozenset(values or ()), attribute, default)

    def filter_for(self, instance_org: str | None, subtree: Any, context: Mapping[str, Any] | None
                   ) -> RecordFilter:
        """The filter of this population for one role instance (its org unit) and the request context."""
        if self.kind == "all":
            return Everything()
        assert self.field is not None
        if self.kind == "explicit":
            return FieldIn(self.field, self.values)
        if self.kind == "own_file":
            subject = (context or {}).get("subject") or {}
            own = subject.get(self.attribute) if isinstance(subject, Mapping) else None
            return Nothing() if own is None else FieldIn(self.field, frozenset({own}))
        org = instance_org
        if org is None:
            subject = (context or {}).get("subject") or {}
            org = subject.get("org") if isinstance(subject, Mapping) else None
        if org is None:
            return Nothing()
        if self.kind == "org_unit":
            return FieldIn(self.field, frozenset({org}))
        return FieldIn(self.field, subtree(org))

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.field is not None:
            doc["field"] = self.field
        if self.values:
            doc["values"] = sorted(self.values)
        if self.attribute is not None:
            doc["attribute"] = self.attribute
        if self.default:
            doc["default"] = True
        return doc


@dataclass(frozen=True)
class FieldRule:
    """The access of a role to one field: static (``when`` None) or dynamic (when the context constraint
    ``when`` holds — on subject attributes for a dynamic information profile, on record attributes for an
    update restriction that depends on field values)."""

    field: str
    access: str
    when: str | None = None

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"field": self.field, "access": self.access}
        if self.when is not None:
            doc["when"] = self.when
        return doc


def validate_access(access: Any) -> str:
    if access not in ACCESS_LEVELS:
        raise InvalidArgument(f"Niveau d'accès inconnu « {access} » (connus : {', '.join(ACCESS_LEVELS)}).",
                              code="unknown_access")
    return access


def stronger(a: str, b: str) -> str:
    return a if _ACCESS_RANK[a] >= _ACCESS_RANK[b] else b


@dataclass(frozen=True)
class ActionLimits:
    """Limits of one action; None means unlimited. Combined across roles by keeping the most permissive."""

    max_records: int | None = None
    confirm_above: int | None = None
    max_per_day: int | None = None
    max_seconds: int | None = None

    @classmethod
    def build(cls, **limits: Any) -> ActionLimits:
        for name, value in limits.items():
            if name not in cls.__dataclass_fields__:
                raise InvalidArgument(f"Limite inconnue « {name} ».", code="unknown_limit")
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise InvalidArgument(f"La limite « {name} » est un entier ≥ 1.", code="wrong_type")
        built = cls(**limits)
        if built.max_records and built.confirm_above and built.confirm_above >= built.max_records:
            raise InvalidArgument("Le seuil de confirmation doit être inférieur au maximum d'enregistrements.",
                                  code="invalid_limits")
        return built

    def most_permissive(self, other: ActionLimits) -> ActionLimits:
        def loosest(a: int | None, b: int | None) -> int | None:
            return None if a is None or b is None else max(a, b)

        return ActionLimits(*(loosest(getattr(self, f), getattr(other, f)) for f in self.__dataclass_fields__))

    def selection(self, count: int, confirmed: bool = False) -> SelectionDecision:
        """What to do with a query selecting ``count`` records (thesis 3.1.4, profil actions): beyond
        ``max_records`` nothing is selected; above ``confirm_above`` the user must confirm first."""
        if self.max_records is not None and count > self.max_records:
            return SelectionDecision("refused", count, f"La sélection compte {count} dossiers, au-delà du maximum "
                                     f"de {self.max_records} : aucun dossier n'est sélectionné.")
        if self.confirm_above is not None and count > self.confirm_above and not confirmed:
            return SelectionDecision("confirm", count, f"La sélection compte {count} dossiers (plus de "
                                     f"{self.confirm_above}) : confirmez pour continuer.")
        return SelectionDecision("allowed", count, f"Sélection de {count} dossier(s) autorisée.")

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__ if getattr(self, name) is not None}


@dataclass(frozen=True)
class SelectionDecision:
    """``allowed``, ``confirm`` (ask the user, then call again with ``confirmed=True``) or ``refused``."""

    outcome: str
    count: int
    message: str

    def __bool__(self) -> bool:
        return self.outcome == "allowed"


@dataclass(frozen=True)
class FieldDecision:
    """The access of a subject to one field, with the rule that decided it (or none: forbidden)."""

    field: str
    access: str
    role: str | None = None
    when: str | None = None
    message: str = ""


@dataclass(frozen=True)
class ScopingPolicy:
    """The scoping rules of one policy version, frozen for a snapshot."""

    populations: Mapping[tuple[str, str], Mapping[str, PopulationRule]] = field(default_factory=dict)
    field_rules: Mapping[tuple[str, str], Mapping[str, tuple[FieldRule, ...]]] = field(default_factory=dict)
    action_limits: Mapping[tuple[str, str], ActionLimits] = field(default_factory=dict)
