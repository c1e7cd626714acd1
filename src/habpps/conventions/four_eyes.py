"""Who may verify a convention version (CNV-3), decided by the engine: a verifier of the convention's fund who
neither entered nor last changed that version.

One engine decision answers both halves. The permission to decide on a version is held in the fund's unit only
(ENG-3: a verifier of another fund is refused, with the engine's explanation that his role applies elsewhere),
and the object-history exclusion ``FOUR_EYES_RULE`` (ENG-7, mode ``block``) refuses whoever did ``saisir`` or
``modifier`` on this very version; the version's history travels in the decision's context, so the decision
stays free of I/O. The rule is compiled into every policy the platform builds (`habpps.conventions.policy_rules`);
this module only asks and words the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from habpps.authorization.orgs import fund_unit
from habpps.authorization.policy_cache import current_policy
from habpps.authorization.request_context import decision_context
from habpps.conventions.models import ConventionVersion
from habpps.conventions.permissions import DECIDE_VERSION
from habpps.conventions.policy_rules import CHANGED, ENTERED, FOUR_EYES, FOUR_EYES_RULE
from habpps.engine import RBACError

__all__ = ["FOUR_EYES_RULE", "VerificationDecision", "history_exclusion", "history_of", "may_verify"]


def history_of(version: ConventionVersion) -> list[dict[str, str]]:
    """What was done on the version, as the engine's history context reads it."""
    return [
        {"user": version.entered_by.login, "operation": ENTERED},
        {"user": version.last_changed_by.login, "operation": CHANGED},
    ]


@dataclass(frozen=True)
class VerificationDecision:
    """Whether ``actor`` may validate or reject ``version``, and why (a French sentence)."""

    granted: bool
    code: str
    message: str

    def __bool__(self) -> bool:
        return self.granted


def _four_eyes_refusal(version: ConventionVersion, breach: dict) -> VerificationDecision:
    author = breach.get("previous_operation") == ENTERED
    what = _("vous avez saisi") if author else _("vous avez modifié en dernier")
    return VerificationDecision(
        False,
        "four_eyes_author" if author else "four_eyes_last_editor",
        _(
            "Règle des quatre yeux : %(what)s la version %(number)d de cette convention ; un autre vérificateur "
            "de la caisse doit la contrôler. (%(engine)s)"
        )
        % {"what": what, "number": version.number, "engine": breach.get("message", FOUR_EYES_RULE)},
    )


def may_verify(actor, version: ConventionVersion) -> VerificationDecision:
    """The engine's decision on deciding ``version`` in its fund, with the version's history as context."""
    context = decision_context(history=history_of(version))
    unit = fund_unit(version.convention.fund_id)
    policy = current_policy()
    try:
        decision = policy.snapshot.explain(
            actor.login, DECIDE_VERSION.operation, DECIDE_VERSION.obj, org=unit, context=context
        )
    except RBACError as error:
        return VerificationDecision(False, "engine_refusal", str(error))
    breaches = [c for c in decision.failed_constraints if c.get("exclusion") == FOUR_EYES_RULE]
    if breaches:
        return _four_eyes_refusal(version, breaches[0])
    if not decision.granted:
        return VerificationDecision(
            False,
            "not_verifier_of_fund",
            _("Seul un vérificateur de la caisse de la convention peut la vérifier. %(why)s")
            % {"why": decision.message},
        )
    return VerificationDecision(True, "granted", decision.message)


def history_exclusion(actor, version: ConventionVersion) -> VerificationDecision:
    """The object-history half alone, evaluated by the engine's rule without a policy lookup: re-checked under
    the row lock, where a policy decision would cache a snapshot the transaction is about to make stale."""
    breach = FOUR_EYES.violation(actor.login, {"history": history_of(version)})
    return _four_eyes_refusal(version, breach) if breach else VerificationDecision(True, "granted", "")
