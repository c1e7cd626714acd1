"""Who may verify a convention version (CNV-3): a verifier of the convention's fund who neither entered nor last
changed that version.

Both halves are decisions with their explanation. Authority in the fund is the engine's decision on the verify
permission in the fund's unit (a verifier of another fund is refused with the engine's own explanation: his role
applies in his fund only). The object-history separation — whoever entered or changed version V may not verify
V, ENG-7 mode ``block`` — is evaluated by ``history_exclusion`` below from the version's recorded history.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from habpps.conventions.models import ConventionVersion
from habpps.conventions.permissions import VERIFY_CONVENTIONS
from habpps.directory.decisions import explain
from habpps.directory.orgs import fund_unit
from habpps.engine import RBACError

# The exclusion rule of CNV-3, named as the journal and the explanations refer to it.
FOUR_EYES_RULE = "quatre-yeux-convention"


@dataclass(frozen=True)
class VerificationDecision:
    """Whether ``actor`` may validate or reject ``version``, and why (a French sentence)."""

    granted: bool
    code: str
    message: str

    def __bool__(self) -> bool:
        return self.granted


def authority_in_fund(actor, version: ConventionVersion) -> VerificationDecision:
    """The engine's decision on the verify permission in the convention's fund (ENG-3 org scope)."""
    unit = fund_unit(version.convention.fund_id)
    try:
        decision = explain(actor, VERIFY_CONVENTIONS.operation, VERIFY_CONVENTIONS.obj, unit)
    except RBACError as error:
        return VerificationDecision(False, "engine_refusal", str(error))
    if decision.granted:
        return VerificationDecision(True, "granted", decision.message)
    return VerificationDecision(
        False,
        "not_verifier_of_fund",
        _("Seul un vérificateur de la caisse de la convention peut la vérifier. %(why)s")
        % {"why": decision.message},
    )


def history_exclusion(actor, version: ConventionVersion) -> VerificationDecision:
    """Object-history separation, mode ``block``: the author or last editor of ``version`` may not verify it."""
    if actor.pk == version.entered_by_id:
        return VerificationDecision(
            False,
            "four_eyes_author",
            _(
                "Règle des quatre yeux (%(rule)s) : vous avez saisi la version %(number)d de cette convention ; "
                "un autre vérificateur de la caisse doit la contrôler."
            )
            % {"rule": FOUR_EYES_RULE, "number": version.number},
        )
    if actor.pk == version.last_changed_by_id:
        return VerificationDecision(
            False,
            "four_eyes_last_editor",
            _(
                "Règle des quatre yeux (%(rule)s) : vous avez modifié en dernier la version %(number)d de cette "
                "convention ; un autre vérificateur de la caisse doit la contrôler."
            )
            % {"rule": FOUR_EYES_RULE, "number": version.number},
        )
    return VerificationDecision(True, "granted", "")


def may_verify(actor, version: ConventionVersion) -> VerificationDecision:
    """Both rules of CNV-3, authority first: an outsider learns nothing about the version's history."""
    authority = authority_in_fund(actor, version)
    if not authority:
        return authority
    exclusion = history_exclusion(actor, version)
    if not exclusion:
        return exclusion
    return authority
