"""Engine explanations in the words of the people who read them: profile names, organisation names.

The engine names roles by code, units by key and people by login (« FundAdmin », « fund:3 », « jdupont.1234 »);
pages and API messages show « Administrateur Caf », the fund's name and the person's name. Only the quoted names are replaced: the sentence is the engine's.
"""

from __future__ import annotations

import re

from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.authorization.stored import Account, Fund, Group, Partner, ServiceRole

_QUOTED = re.compile(r"« ([^»]+?) »")
_DELEGATION = re.compile(r"délégation « delegation:\d+ » de")
_ADMINISTRATION = re.compile(r"« administration:([a-z]+:\d+) »")


def unit_label(unit: str | None) -> str:
    """« Caf de Paris », « Centre social X », « national » for an engine unit; « partout » for none."""
    if not unit:
        return "partout"
    if unit == NATIONAL_UNIT:
        return "l'organisme national"
    kind, _sep, key = unit.partition(":")
    model = {"fund": Fund, "partner": Partner, "group": Group}.get(kind)
    if model is None or not key.isdigit():
        return unit
    name = model.objects.filter(pk=int(key)).values_list("name", flat=True).first()
    return name or unit


def in_french(message: str) -> str:
    """``message`` with role codes and unit keys replaced by their names."""
    quoted = set(_QUOTED.findall(message))
    if not quoted:
        return message
    names = dict(ServiceRole.objects.filter(code__in=quoted).values_list("code", "name"))
    people = {login: f"{first} {last}" for login, first, last in
              Account.objects.filter(login__in=quoted - set(names)).values_list("login", "first_name", "last_name")}

    def replace(match: re.Match) -> str:
        value = match.group(1)
        if value in names:
            return f"« {names[value]} »"
        if value in people:
            return f"« {people[value]} »"
        if ":" in value or value == NATIONAL_UNIT:
            return f"« {unit_label(value)} »"
        return match.group(0)

    return _QUOTED.sub(replace, message)


def engine_explanation(message: str) -> str:
    """An administrative decision's explanation (ENG-12) in the words of the people who read it: names instead of
    logins, group and unit keys, and the rules the platform compiles named by what they stand for (a partner's
    delegation, the administration of a unit) — never the engine's identifiers."""
    message = _DELEGATION.sub("délégation de", message)
    message = _ADMINISTRATION.sub(lambda match: f"« administration de {unit_label(match.group(1))} »", message)
    return in_french(message)
