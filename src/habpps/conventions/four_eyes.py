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

from habpps.authorization.admin_questions import AdminAnswer, UnknownObject
from habpps.authorization.labels import in_french
from habpps.authorization.orgs import fund_unit
from habpps.authorization.policy_cache import current_policy
from habpps.authorization.request_context import decision_context
from habpps.conventions.models import Convention, ConventionVersion
from habpps.conventions.permissions import DECIDE_VERSION
from habpps.conventions.policy_rules import CHANGED, ENTERED, FOUR_EYES, FOUR_EYES_RULE
from habpps.engine import RBACError
from habpps.engine.decision import CONDITION_FAILED

__all__ = [
    "FOUR_EYES_RULE",
    "VERIFY_VERSION",
    "VerificationDecision",
    "history_exclusion",
    "history_of",
    "may_verify",
    "verification_question",
]

VERIFY_VERSION = "valider-version"
"""The administrative question « may this person validate or reject this convention's submitted version? », as
the decision API takes it (object ``convention:<id>``, org the fund's unit) and the journal of refusals records it."""


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
    reason: str = "granted"
    """The engine's reason (``condition_failed`` for the four-eyes exclusion, ``other_org``…): what the journal of
    refusals and the decision API say."""

    def __bool__(self) -> bool:
        return self.granted


RULE_LABEL = "règle des quatre yeux des conventions"
"""How the engine's explanation names the compiled rule ``FOUR_EYES_RULE`` to a person."""


def engine_words(message: str) -> str:
    """The engine's explanation of a four-eyes refusal in names: the person, the rule, what was done — never the
    engine's identifiers (logins, ``quatre-yeux-convention``, ``versions-convention``)."""
    message = message.replace(f"« {FOUR_EYES_RULE} »", f"« {RULE_LABEL} »")
    message = message.replace(f"« {DECIDE_VERSION.obj} »", "« version de convention »")
    return in_french(message)


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
        % {"what": what, "number": version.number, "engine": engine_words(breach.get("message", FOUR_EYES_RULE))},
        CONDITION_FAILED,
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
        return VerificationDecision(False, "engine_refusal", in_french(str(error)), getattr(error, "code", "refused"))
    breaches = [c for c in decision.failed_constraints if c.get("exclusion") == FOUR_EYES_RULE]
    if breaches:
        return _four_eyes_refusal(version, breaches[0])
    if not decision.granted:
        return VerificationDecision(
            False,
            "not_verifier_of_fund",
            _("Seul un vérificateur de la caisse de la convention peut la vérifier. %(why)s")
            % {"why": in_french(decision.message)},
            decision.reason,
        )
    return VerificationDecision(True, "granted", decision.message)


def history_exclusion(actor, version: ConventionVersion) -> VerificationDecision:
    """The object-history half alone, evaluated by the engine's rule without a policy lookup: re-checked under
    the row lock, where a policy decision would cache a snapshot the transaction is about to make stale."""
    breach = FOUR_EYES.violation(actor.login, {"history": history_of(version)})
    return _four_eyes_refusal(version, breach) if breach else VerificationDecision(True, "granted", "")


def verification_question(version: ConventionVersion) -> tuple[str, str, str]:
    """``(operation, object, org)`` of deciding ``version``, as the decision API asks it."""
    return VERIFY_VERSION, f"convention:{version.convention_id}", fund_unit(version.convention.fund_id)


def asked_convention(obj: str, org: str | None) -> Convention:
    """The convention a decision-API question names (``convention:<id>``, in its fund's unit ``org`` when given);
    `UnknownObject` when there is none."""
    key = obj.removeprefix("convention:")
    convention = (
        Convention.objects.filter(pk=int(key)).first()
        if obj.startswith("convention:") and key.isdigit() and len(key) < 18 else None
    )
    if convention is None or (org is not None and org != fund_unit(convention.fund_id)):
        raise UnknownObject(f"la convention « {obj} » est inconnue dans « {org or '—'} »")
    return convention


def verification_answer(account, obj: str, org: str | None) -> AdminAnswer:
    """The decision API's answer to ``valider-version`` on ``convention:<id>``: `may_verify` on its submitted
    version, the very decision (and sentence) the verifier's page gives."""
    from habpps.conventions.workflow import VersionState

    version = asked_convention(obj, org).open_version()
    if version is None or version.state != VersionState.SUBMITTED:
        return AdminAnswer(False, "nothing_to_verify", _("Cette convention n'a pas de version soumise à vérifier."),
                           "nothing_to_verify")
    decision = may_verify(account, version)
    return AdminAnswer(decision.granted, decision.reason, decision.message, decision.code)
