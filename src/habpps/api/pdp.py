"""The policy decision point (API-1, ENG-9, ENG-11): may this user do this operation on this object?

Decisions come from the process's compiled snapshot — no database query per decision — and a batch is decided
on one snapshot, so its answers are mutually consistent. Every denial is journalled (AUD-1) in the org scope of
the unit it concerns, so that a fund's auditors see the refusals of their fund's users (see ``denials`` for
when it is written).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from habpps.authorization import admin_questions
from habpps.authorization.policy_cache import CompiledPolicy, current_policy
from habpps.authorization.refusal_journal import DENIAL_KIND, home_unit, unit_scope
from habpps.authorization.request_context import decision_now
from habpps.authorization.sessions import validate_activation
from habpps.engine import Decision, RBACError
from habpps.journal.denials import journal_denials


@dataclass(frozen=True)
class DecisionQuery:
    user: str
    operation: str
    obj: str
    org: str | None = None
    context: Mapping[str, Any] | None = None
    active_roles: tuple[str, ...] | None = None
    """The roles active in the user's session (None: all its authorised roles), checked by the engine."""


@dataclass(frozen=True)
class Verdict:
    query: DecisionQuery
    granted: bool
    decision: Decision | admin_questions.AdminAnswer | None = field(default=None)
    """The engine's explanation, computed when asked for and for every denial (which is journalled with it); for
    an administrative question, the answer the pages give (`habpps.authorization.admin_questions`)."""


class ContextRefused(ValueError):
    """The request context cannot be read by the engine (a value of the wrong shape)."""


class ActivationRefused(ValueError):
    """The engine refuses to activate these roles together in a session (not authorised, DSD set…)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def decide(queries: Sequence[DecisionQuery], *, service: str, explain: bool = False) -> list[Verdict]:
    """Decide every query on one snapshot and journal the denials; granted ones are not journalled."""
    compiled = current_policy()
    snapshot = compiled.snapshot
    verdicts = []
    for query in queries:
        # The request's time unless the caller says it (ENG-5): time-bound and hour-bound access are decided now.
        if admin_questions.is_administrative(query.operation):
            # An administrative question (« may he give this profile to this group? »): the pages' very answer.
            answer = admin_questions.answer(query.user, query.operation, query.obj, query.org)
            verdicts.append(Verdict(query=query, granted=answer.granted, decision=answer))
            continue
        context = {"now": decision_now(), **(query.context or {})}
        if query.active_roles is not None:
            try:
                validate_activation(query.user, list(query.active_roles), context)
            except RBACError as error:
                raise ActivationRefused(str(error), getattr(error, "code", "refused")) from error
        try:
            granted = bool(
                snapshot.check(
                    query.user, query.operation, query.obj, org=query.org, active_roles=query.active_roles,
                    context=context,
                )
            )
            decision = (
                snapshot.explain(
                    query.user, query.operation, query.obj, org=query.org, active_roles=query.active_roles,
                    context=context,
                )
                if explain or not granted
                else None
            )
        except (RBACError, LookupError, ValueError) as error:
            raise ContextRefused(str(error)) from error
        verdicts.append(Verdict(query=query, granted=granted, decision=decision))
    denials = [verdict for verdict in verdicts if not verdict.granted]
    if denials:
        journal_verdicts(compiled, denials, service)
    return verdicts


def journal_verdicts(compiled: CompiledPolicy, denials: list[Verdict], service: str) -> None:
    """Journal these refused decisions, each in the org scope of the unit it concerns (also used by the lean
    decision server, ``habpps.pdp``)."""
    journal_denials(
        [
            {
                "kind": DENIAL_KIND,
                "org_scope": unit_scope(
                    compiled, verdict.query.org or home_unit(compiled, verdict.query.user)
                ),
                "target": f"account:{verdict.query.user}"[:255],
                "data": {
                    "service": service,
                    "user": verdict.query.user,
                    "operation": verdict.query.operation,
                    "object": verdict.query.obj,
                    "org": verdict.query.org,
                    "reason": verdict.decision.reason if verdict.decision is not None else None,
                    "message": verdict.decision.message if verdict.decision is not None else None,
                    **(
                        {"active_roles": list(verdict.query.active_roles)}
                        if verdict.query.active_roles is not None
                        else {}
                    ),
                    "policy_version": compiled.number,
                },
            }
            for verdict in denials
        ]
    )


__all__ = ["DENIAL_KIND", "DecisionQuery", "Verdict", "decide", "journal_verdicts", "unit_scope"]
