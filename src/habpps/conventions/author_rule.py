"""Who may give up an amendment or take a submitted version back from the verifiers (CNV-4), decided by the
engine: a fund administrator of the convention's fund who entered that very version.

As the four eyes (`habpps.conventions.four_eyes`), one engine decision answers both halves: the permission
``TAKE_BACK_VERSION`` is held by the fund administrator in his fund's unit (ENG-3), and the object-history rule
``AUTHOR_RULE`` (ENG-7 in its ``required`` form, mode ``block``) lets only whoever did ``saisir`` on the version do
``reprendre`` on it — the dual of the four-eyes exclusion, over the same history travelling in the decision's
context. The rule is compiled into every policy the platform builds (`habpps.conventions.policy_rules`); this
module only asks and words the answer. That a first version is not given up (the convention is ended instead) is a
fact of the workflow, not an authorisation: `workflow_refusal`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from habpps.authorization.admin_questions import AdminAnswer
from habpps.authorization.labels import in_french
from habpps.authorization.orgs import fund_unit
from habpps.authorization.policy_cache import current_policy
from habpps.authorization.request_context import decision_context
from habpps.conventions.four_eyes import VerificationDecision, asked_convention, history_of
from habpps.conventions.models import ConventionVersion
from habpps.conventions.permissions import TAKE_BACK_VERSION
from habpps.conventions.policy_rules import AUTHOR_RULE
from habpps.conventions.workflow import TRANSITIONS, Event
from habpps.engine import RBACError
from habpps.engine.decision import CONDITION_FAILED

__all__ = ["AUTHOR_RULE", "CANCEL_VERSION", "QUESTIONS", "WITHDRAW_VERSION", "author_question", "may_take_back",
           "take_back_answer", "workflow_refusal"]

CANCEL_VERSION = "abandonner-version"
"""The administrative question « may this person give up this convention's amendment? » (object
``convention:<id>``, org the fund's unit), as the decision API takes it and the journal of refusals records it."""

WITHDRAW_VERSION = "retirer-version"
"""« may this person take this convention's submitted version back from the verifiers? »"""

QUESTIONS = {Event.CANCEL: CANCEL_VERSION, Event.WITHDRAW: WITHDRAW_VERSION}
EVENTS = {question: event for event, question in QUESTIONS.items()}

RULE_LABEL = "règle de l'auteur des versions de convention"
"""How the engine's explanation names the compiled rule ``AUTHOR_RULE`` to a person."""


def engine_words(message: str) -> str:
    """The engine's explanation in names: the people, the rule, what was done — never its identifiers (logins,
    ``auteur-version-convention``, ``versions-convention``, ``reprendre``)."""
    message = message.replace(f"« {AUTHOR_RULE} »", f"« {RULE_LABEL} »")
    message = message.replace(f"« {TAKE_BACK_VERSION.obj} »", "« version de convention »")
    message = message.replace(f"« {TAKE_BACK_VERSION.operation} »", "« abandonner ou retirer »")
    return in_french(message)


def workflow_refusal(version: ConventionVersion, event: str) -> str | None:
    """Why ``event`` cannot happen to ``version`` whoever asks (a fact of the workflow), None when it can."""
    if not version.is_amendment and event == Event.CANCEL:
        return _(
            "La première version d'une convention ne s'abandonne pas : pour y renoncer, résiliez la convention."
        )
    return None


def may_take_back(actor, version: ConventionVersion, event: str) -> VerificationDecision:
    """The engine's decision on ``event`` (cancel, withdraw) on ``version`` by ``actor``, with its history."""
    action = Event(event).label.lower()
    if actor is None:
        return VerificationDecision(False, "not_author", _("Connectez-vous pour « %(action)s ».") % {"action": action},
                                    "unknown_user")
    unit = fund_unit(version.convention.fund_id)
    try:
        decision = current_policy().snapshot.explain(
            actor.login, TAKE_BACK_VERSION.operation, TAKE_BACK_VERSION.obj, org=unit,
            context=decision_context(history=history_of(version)),
        )
    except RBACError as error:
        return VerificationDecision(False, "engine_refusal", in_french(str(error)), getattr(error, "code", "refused"))
    breaches = [c for c in decision.failed_constraints if c.get("exclusion") == AUTHOR_RULE]
    if breaches:
        return VerificationDecision(
            False,
            "not_author",
            _("Seul l'auteur de la version, %(name)s, peut « %(action)s ». (%(engine)s)")
            % {"name": version.entered_by.full_name, "action": action,
               "engine": engine_words(breaches[0].get("message", AUTHOR_RULE))},
            CONDITION_FAILED,
        )
    if not decision.granted:
        return VerificationDecision(
            False,
            "not_fund_administrator",
            _("Seul un administrateur de la caisse de la convention peut « %(action)s ». %(why)s")
            % {"action": action, "why": in_french(decision.message)},
            decision.reason,
        )
    return VerificationDecision(True, "granted", decision.message)


def author_question(version: ConventionVersion, event: str) -> tuple[str, str, str]:
    """``(operation, object, org)`` of ``event`` on ``version``, as the decision API asks it."""
    return QUESTIONS[Event(event)], f"convention:{version.convention_id}", fund_unit(version.convention.fund_id)


def take_back_answer(operation: str):
    """The decision API's answerer of ``operation`` (``abandonner-version``, ``retirer-version``) on
    ``convention:<id>``: `may_take_back` on its open version, the very decision (and sentence) the page gives."""
    event = EVENTS[operation]

    def answer(account, obj: str, org: str | None) -> AdminAnswer:
        convention = asked_convention(obj, org)
        version = convention.open_version()
        if version is None or (version.state, event) not in TRANSITIONS or convention.is_ended:
            nothing = (_("Cette convention n'a pas de version soumise à retirer.") if event == Event.WITHDRAW
                       else _("Cette convention n'a pas d'avenant en cours à abandonner."))
            return AdminAnswer(False, "nothing_to_take_back", nothing, "nothing_to_take_back")
        fact = workflow_refusal(version, event)
        if fact:
            return AdminAnswer(False, "workflow", fact, "first_version")
        decision = may_take_back(account, version, event)
        return AdminAnswer(decision.granted, decision.reason, decision.message, decision.code)

    return answer
