"""Contextual constraints (ENG-5, Strembeck & Neumann 2004, thesis 4.5.9): attributes, functions, conditions.

- A *context attribute* has a name and a typed *domain* (bool, int, decimal, string, date, time, datetime,
  ip_address, ip_network, set) and is read by a *context function* (current time, date, weekday, client IP, an
  attribute of the subject or of the object, a value of the request context), possibly with a parameter.
- A *condition* is an operator over operands (`= ≠ < ≤ > ≥ in not-in within-network between`); the first operand
  is always an attribute, the others attributes or constants. Operands are type-checked against the operator's
  domain when the condition is defined, so a bad condition is refused there, never at check time.
- A *context constraint* is a named set of conditions; permissions and constraints are linked n:n, and a
  conditional permission grants only if every linked constraint holds.

Nothing here performs I/O: the caller passes the request context (time, client IP, subject and object
attributes) as a mapping; only "now" may come from the engine's injected clock.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from habpps.engine.errors import InvalidArgument
from habpps.engine.temporal import in_daily_window

DOMAINS = ("bool", "int", "decimal", "string", "date", "time", "datetime", "ip_address", "ip_network", "set")
ORDERED_DOMAINS = frozenset({"int", "decimal", "date", "time", "datetime"})

_DOMAIN_LABELS = {
    "bool": "booléen", "int": "entier", "decimal": "décimal", "string": "chaîne", "date": "date", "time": "heure",
    "datetime": "date et heure", "ip_address": "adresse IP", "ip_network": "réseau IP", "set": "ensemble",
}


class MissingContext(LookupError):
    """The request context lacks a value a condition needs: the condition fails (closed policy)."""


class BadContextValue(ValueError):
    """The request context holds a value outside the attribute's domain: the condition fails."""


# -- domains: coercion of constants and context values -----------------------------------------------------------
def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError


def _to_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError
    return value


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        value = str(value)
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError from exc


def _to_string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    return value


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise ValueError
    if isinstance(value, date):
        return value
    return date.fromisoformat(_to_string(value))


def _to_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    return time.fromisoformat(_to_string(value))


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(_to_string(value))


def _to_ip_address(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return value
    return _parse_ip(_to_string(value))


@functools.lru_cache(maxsize=65_536)
def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """Client addresses repeat from one request to the next: parse each once (parsing costs about 1 µs)."""
    return ipaddress.ip_address(text)


def _to_ip_network(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value
    return ipaddress.ip_network(_to_string(value), strict=False)


def _to_set(value: Any) -> frozenset[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValueError
    return frozenset(_to_string(item) for item in value)


_COERCE: dict[str, Callable[[Any], Any]] = {
    "bool": _to_bool, "int": _to_int, "decimal": _to_decimal, "string": _to_string, "date": _to_date,
    "time": _to_time, "datetime": _to_datetime, "ip_address": _to_ip_address, "ip_network": _to_ip_network,
    "set": _to_set,
}


def coerce(domain: str, value: Any) -> Any:
    """``value`` as a member of ``domain`` (ISO text accepted for dates, times and addresses); ValueError else."""
    try:
        return _COERCE[domain](value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"« {value} » n'est pas un(e) {_DOMAIN_LABELS[domain]}") from exc


def plain(domain: str, value: Any) -> Any:
    """A domain value as plain JSON data (the inverse of `coerce`), for policy documents."""
    if domain in ("date", "time", "datetime"):
        return value.isoformat()
    if domain in ("decimal", "ip_address", "ip_network"):
        return str(value)
    if domain == "set":
        return sorted(value)
    return value


def show(value: Any) -> str:
    """A value as a person reads it in an explanation."""
    if isinstance(value, time):
        return value.strftime("%H:%M") if not value.second else value.isoformat()
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (frozenset, set)):
        return "{" + ", ".join(sorted(map(str, value))) + "}"
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    return str(value)


# -- context functions -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RequestContext:
    """What context functions read: the caller's mapping and the decision time ("now")."""

    values: Mapping[str, Any]
    now: datetime

    def item(self, key: str) -> Any:
        if key not in self.values or self.values[key] is None:
            raise MissingContext(key)
        return self.values[key]

    def nested(self, key: str, name: str) -> Any:
        attributes = self.values.get(key)
        if not isinstance(attributes, Mapping) or attributes.get(name) is None:
            raise MissingContext(f"{key}.{name}")
        return attributes[name]


@dataclass(frozen=True)
class ContextFunction:
    """How a context attribute obtains its current value. ``domain`` None: the attribute declares it."""

    name: str
    label: str
    domain: str | None
    takes_parameter: bool
    read: Callable[[RequestContext, str | None], Any]


CONTEXT_FUNCTIONS: dict[str, ContextFunction] = {
    f.name: f
    for f in (
        ContextFunction("current_datetime", "date et heure courantes", "datetime", False, lambda c, _: c.now),
        ContextFunction("current_date", "date du jour", "date", False, lambda c, _: c.now.date()),
        ContextFunction("current_time", "heure courante", "time", False,
                        lambda c, _: c.now.time().replace(tzinfo=None)),
        ContextFunction("weekday", "jour de la semaine (1 = lundi)", "int", False, lambda c, _: c.now.isoweekday()),
        ContextFunction("client_ip", "adresse IP du client", "ip_address", False,
                        lambda c, _: c.item("client_ip")),
        ContextFunction("subject_attribute", "attribut du sujet", None, True,
                        lambda c, p: c.nested("subject", str(p))),
        ContextFunction("object_attribute", "attribut de l'objet", None, True,
                        lambda c, p: c.nested("object", str(p))),
        ContextFunction("context_value", "valeur du contexte de la requête", None, True,
                        lambda c, p: c.item(str(p))),
    )
}


@dataclass(frozen=True)
class ContextAttribute:
    """A named, typed property of the environment, read by a context function (thesis: « attribut de contexte »)."""

    name: str
    domain: str
    function: str
    parameter: str | None = None

    @classmethod
    def build(cls, name: str, domain: str | None, function: str, parameter: str | None = None) -> ContextAttribute:
        reader = CONTEXT_FUNCTIONS.get(function)
        if reader is None:
            raise InvalidArgument(
                f"Fonction de contexte inconnue : « {function} » (connues : {', '.join(sorted(CONTEXT_FUNCTIONS))}).",
                code="unknown_context_function", function=function,
            )
        if domain is None:
            domain = reader.domain
        if domain not in DOMAINS:
            raise InvalidArgument(
                f"Domaine inconnu : « {domain} » (connus : {', '.join(DOMAINS)}).", code="unknown_domain",
                domain=domain,
            )
        if reader.domain is not None and domain != reader.domain:
            raise InvalidArgument(
                f"La fonction « {function} » ({reader.label}) rend un(e) {_DOMAIN_LABELS[reader.domain]}, "
                f"pas un(e) {_DOMAIN_LABELS[domain]}.",
                code="domain_mismatch", function=function,
            )
        if reader.takes_parameter and not (isinstance(parameter, str) and parameter.strip()):
            raise InvalidArgument(
                f"La fonction « {function} » demande un paramètre (le nom de l'attribut à lire).",
                code="missing_parameter", function=function,
            )
        if not reader.takes_parameter and parameter is not None:
            raise InvalidArgument(
                f"La fonction « {function} » ne prend pas de paramètre.", code="unexpected_parameter",
                function=function,
            )
        return cls(name, domain, function, parameter)

    def value(self, request: RequestContext) -> Any:
        """The attribute's current value, coerced into its domain (MissingContext / BadContextValue else)."""
        raw = CONTEXT_FUNCTIONS[self.function].read(request, self.parameter)
        try:
            return coerce(self.domain, raw)
        except ValueError as exc:
            raise BadContextValue(str(exc)) from exc

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "domain": self.domain, "function": self.function}
        if self.parameter is not None:
            doc["parameter"] = self.parameter
        return doc


# -- conditions ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attr:
    """An operand naming a context attribute (a constant is any other value)."""

    name: str


def attr(name: str) -> Attr:
    """Operand helper: ``attr("heure")`` refers to the context attribute « heure »."""
    return Attr(name)


OPERATOR_ALIASES = {
    "=": "=", "==": "=", "eq": "=",
    "≠": "≠", "!=": "≠", "ne": "≠",
    "<": "<", "lt": "<",
    "≤": "≤", "<=": "≤", "le": "≤",
    ">": ">", "gt": ">",
    "≥": "≥", ">=": "≥", "ge": "≥",
    "in": "in", "not-in": "not-in", "not_in": "not-in",
    "within-network": "within-network", "within_network": "within-network",
    "between": "between",
}
_OPERATOR_LABELS = {
    "=": "égal à", "≠": "différent de", "<": "inférieur à", "≤": "inférieur ou égal à", ">": "supérieur à",
    "≥": "supérieur ou égal à", "in": "parmi", "not-in": "hors de", "within-network": "dans le réseau",
    "between": "entre",
}


@dataclass(frozen=True)
class Operand:
    """A resolved operand: an attribute (``attribute`` set) or a constant of ``domain``."""

    domain: str
    attribute: ContextAttribute | None = None
    constant: Any = None

    def value(self, request: RequestContext) -> Any:
        return self.constant if self.attribute is None else self.attribute.value(request)

    def describe(self) -> str:
        return f"« {self.attribute.name} »" if self.attribute else show(self.constant)

    def as_dict(self) -> dict[str, Any]:
        if self.attribute is not None:
            return {"attribute": self.attribute.name}
        return {"value": plain(self.domain, self.constant)}


@dataclass(frozen=True)
class Condition:
    """A predicate ``operator(operand₁, operand₂[, operand₃])``, type-checked when built."""

    operator: str
    operands: tuple[Operand, ...]

    def holds(self, request: RequestContext) -> tuple[bool, Any]:
        """Whether the condition holds, with the first operand's actual value (for the explanation)."""
        values = [operand.value(request) for operand in self.operands]
        subject = values[0]
        op = self.operator
        if op == "=":
            result = subject == values[1]
        elif op == "≠":
            result = subject != values[1]
        elif op == "<":
            result = subject < values[1]
        elif op == "≤":
            result = subject <= values[1]
        elif op == ">":
            result = subject > values[1]
        elif op == "≥":
            result = subject >= values[1]
        elif op == "in":
            result = subject in values[1]
        elif op == "not-in":
            result = subject not in values[1]
        elif op == "within-network":
            result = subject.version == values[1].version and subject in values[1]
        else:  # between, both bounds included; a time window whose bounds are reversed crosses midnight
            low, high = values[1], values[2]
            if isinstance(subject, time) and low > high:
                result = in_daily_window(subject, low, high) or subject == high
            else:
                result = low <= subject <= high
        return result, subject

    def describe(self) -> str:
        first, *rest = self.operands
        label = _OPERATOR_LABELS[self.operator]
        if self.operator == "between":
            return f"{first.describe()} {label} {rest[0].describe()} et {rest[1].describe()}"
        return f"{first.describe()} {label} {rest[0].describe()}"

    def as_dict(self) -> dict[str, Any]:
        return {"operator": self.operator, "operands": [operand.as_dict() for operand in self.operands]}


def _condition_error(message: str) -> InvalidArgument:
    return InvalidArgument(f"Condition invalide : {message}.", code="invalid_condition")


def build_condition(attributes: Mapping[str, ContextAttribute], operator: Any, operands: Any) -> Condition:
    """Type-check a condition against the declared attributes (thesis: domain(oprnd) ⊆ domain(oprtr))."""
    canonical = OPERATOR_ALIASES.get(operator) if isinstance(operator, str) else None
    if canonical is None:
        raise _condition_error(f"opérateur inconnu « {operator} » (connus : {', '.join(_OPERATOR_LABELS)})")
    if isinstance(operands, (str, bytes)) or not isinstance(operands, Iterable):
        raise _condition_error("les opérandes forment une liste")
    raw = [_operand_input(item) for item in operands]
    arity = 3 if canonical == "between" else 2
    if len(raw) != arity:
        raise _condition_error(f"l'opérateur « {canonical} » prend {arity} opérandes, reçu {len(raw)}")
    if not isinstance(raw[0], Attr):
        raise _condition_error("le premier opérande doit être un attribut de contexte")
    first = _attribute_operand(attributes, raw[0])
    domain = first.domain
    if canonical in ("<", "≤", ">", "≥", "between") and domain not in ORDERED_DOMAINS:
        raise _condition_error(
            f"l'opérateur « {canonical} » compare des valeurs ordonnées ; « {first.attribute.name} » est un(e) "
            f"{_DOMAIN_LABELS[domain]}"
        )
    if canonical == "within-network":
        if domain != "ip_address":
            raise _condition_error(f"« within-network » s'applique à une adresse IP, pas à « {raw[0].name} »")
        return Condition(canonical, (first, _typed_operand(attributes, raw[1], "ip_network")))
    if canonical in ("in", "not-in"):
        if domain == "set":
            raise _condition_error(f"« {canonical} » teste une valeur simple, « {raw[0].name} » est un ensemble")
        return Condition(canonical, (first, _collection_operand(attributes, raw[1], domain)))
    rest = tuple(_typed_operand(attributes, item, domain) for item in raw[1:])
    return Condition(canonical, (first, *rest))


def _operand_input(item: Any) -> Any:
    """Accept ``Attr``, ``{"attribute": name}`` and ``{"value": constant}`` (the document forms)."""
    if isinstance(item, Mapping):
        if set(item) == {"attribute"}:
            return Attr(item["attribute"])
        if set(item) == {"value"}:
            return item["value"]
        raise _condition_error("un opérande s'écrit {attribute: nom} ou {value: constante}")
    return item


def _attribute_operand(attributes: Mapping[str, ContextAttribute], ref: Attr) -> Operand:
    attribute = attributes.get(ref.name)
    if attribute is None:
        raise _condition_error(f"attribut de contexte inconnu « {ref.name} »")
    return Operand(attribute.domain, attribute=attribute)


def _typed_operand(attributes: Mapping[str, ContextAttribute], item: Any, domain: str) -> Operand:
    if isinstance(item, Attr):
        operand = _attribute_operand(attributes, item)
        if operand.domain != domain:
            raise _condition_error(
                f"« {item.name} » est un(e) {_DOMAIN_LABELS[operand.domain]}, un(e) {_DOMAIN_LABELS[domain]} est "
                "attendu(e)"
            )
        return operand
    try:
        return Operand(domain, constant=coerce(domain, item))
    except ValueError as exc:
        raise _condition_error(f"{exc}, attendu : {_DOMAIN_LABELS[domain]}") from exc


def _collection_operand(attributes: Mapping[str, ContextAttribute], item: Any, domain: str) -> Operand:
    if isinstance(item, Attr):
        operand = _attribute_operand(attributes, item)
        if operand.domain != "set" or domain != "string":
            raise _condition_error(f"« {item.name} » n'est pas un ensemble de chaînes comparable")
        return operand
    if isinstance(item, (str, bytes)) or not isinstance(item, Iterable):
        raise _condition_error("« in » et « not-in » demandent une liste de valeurs")
    try:
        values = frozenset(coerce(domain, value) for value in item)
    except ValueError as exc:
        raise _condition_error(f"{exc}, attendu : {_DOMAIN_LABELS[domain]}") from exc
    return Operand("set", constant=values)


@dataclass(frozen=True)
class ContextConstraint:
    """A named set of conditions that must all hold (thesis: CC = 2^CONDITIONS)."""

    name: str
    conditions: tuple[Condition, ...]

    def holds(self, request: RequestContext) -> bool:
        """Whether every condition holds — `failure` without building the explanation (for `check`)."""
        try:
            return all(condition.holds(request)[0] for condition in self.conditions)
        except (MissingContext, BadContextValue, TypeError):
            return False

    def failure(self, request: RequestContext) -> dict[str, Any] | None:
        """The first condition that does not hold, as a failed-constraint record, or None when all hold."""
        for condition in self.conditions:
            try:
                held, actual = condition.holds(request)
            except MissingContext as missing:
                return self._record(condition, f"{condition.describe()} — valeur « {missing} » absente du contexte",
                                    None)
            except (BadContextValue, TypeError) as exc:
                return self._record(condition, f"{condition.describe()} — {exc}", None)
            if not held:
                return self._record(condition, f"{condition.describe()} (valeur : {show(actual)})", actual)
        return None

    def _record(self, condition: Condition, text: str, actual: Any) -> dict[str, Any]:
        return {
            "kind": "context",
            "constraint": self.name,
            "condition": condition.describe(),
            "actual": None if actual is None else show(actual),
            "message": f"contrainte contextuelle « {self.name} » : {text}",
        }

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "conditions": [c.as_dict() for c in self.conditions]}
