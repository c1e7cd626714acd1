"""The life of a convention version as an explicit state machine (CNV-2, CNV-4).

    documents_requested ──documents_received──▶ draft ──submit──▶ submitted ──validate──▶ validated
            ▲                                   │  ▲ ◀──withdraw──────┤                       │
            └───────request_documents───────────┘  └──resume── rejected ◀──reject───┘       supersede
                                                                                            ▼
                                                                                        superseded

    draft, documents_requested, rejected ──cancel──▶ cancelled      (an amendment, by its author)

A rejected entry goes back to the fund administrator (the slides' « retour étape 5 »): he corrects it (``resume``)
or asks the partner for missing documents. The author of an amendment may give it up (``cancel``) before it is
validated, or take a submitted one back into entry (``withdraw``). Only ``validated`` takes effect; a validated
amendment supersedes the previous validated version. The table below is the whole truth: services never move a state any other way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionState(models.TextChoices):
    DOCUMENTS_REQUESTED = "documents_requested", _("Documents demandés au partenaire")
    DRAFT = "draft", _("En saisie")
    SUBMITTED = "submitted", _("Soumise à vérification")
    VALIDATED = "validated", _("Validée — en vigueur")
    REJECTED = "rejected", _("Rejetée")
    SUPERSEDED = "superseded", _("Remplacée par un avenant")
    CANCELLED = "cancelled", _("Avenant abandonné")

    @classmethod
    def open_states(cls) -> list[str]:
        """States of a version still being prepared or verified."""
        return [cls.DOCUMENTS_REQUESTED, cls.DRAFT, cls.SUBMITTED, cls.REJECTED]


class Event(models.TextChoices):
    """What happens to a version; each event is one journalled transition."""

    REQUEST_DOCUMENTS = "request_documents", _("Demander les documents manquants")
    DOCUMENTS_RECEIVED = "documents_received", _("Documents reçus")
    SUBMIT = "submit", _("Soumettre à vérification")
    VALIDATE = "validate", _("Valider")
    REJECT = "reject", _("Rejeter")
    RESUME = "resume", _("Reprendre la saisie")
    SUPERSEDE = "supersede", _("Remplacer par l'avenant validé")
    CANCEL = "cancel", _("Abandonner l'avenant")
    WITHDRAW = "withdraw", _("Retirer de la vérification")


TRANSITIONS: dict[tuple[str, str], str] = {
    (VersionState.DRAFT, Event.REQUEST_DOCUMENTS): VersionState.DOCUMENTS_REQUESTED,
    (VersionState.REJECTED, Event.REQUEST_DOCUMENTS): VersionState.DOCUMENTS_REQUESTED,
    (VersionState.DOCUMENTS_REQUESTED, Event.DOCUMENTS_RECEIVED): VersionState.DRAFT,
    (VersionState.DRAFT, Event.SUBMIT): VersionState.SUBMITTED,
    (VersionState.SUBMITTED, Event.VALIDATE): VersionState.VALIDATED,
    (VersionState.SUBMITTED, Event.REJECT): VersionState.REJECTED,
    (VersionState.REJECTED, Event.RESUME): VersionState.DRAFT,
    (VersionState.VALIDATED, Event.SUPERSEDE): VersionState.SUPERSEDED,
    # Its author gives an amendment up before it takes effect, or takes it back from the verifiers to correct it.
    (VersionState.DRAFT, Event.CANCEL): VersionState.CANCELLED,
    (VersionState.DOCUMENTS_REQUESTED, Event.CANCEL): VersionState.CANCELLED,
    (VersionState.REJECTED, Event.CANCEL): VersionState.CANCELLED,
    (VersionState.SUBMITTED, Event.WITHDRAW): VersionState.DRAFT,
}

# Events only the version's author may make (``services.entry.authorize_author``).
AUTHOR_EVENTS = frozenset({Event.CANCEL, Event.WITHDRAW})

# States in which the fund administrator may still change what was entered.
EDITABLE_STATES = frozenset({VersionState.DRAFT})


class WorkflowError(Exception):
    """A transition the state machine does not allow; ``code`` is stable, the message French."""

    def __init__(self, message: str, code: str = "transition_refused") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Transition:
    before: str
    event: str
    after: str


def next_state(state: str, event: str) -> Transition:
    """The transition ``event`` makes from ``state``, or ``WorkflowError`` with a French explanation."""
    after = TRANSITIONS.get((state, event))
    if after is None:
        raise WorkflowError(
            _("Action « %(event)s » impossible pour une version à l'état « %(state)s ».")
            % {"event": Event(event).label, "state": VersionState(state).label}
        )
    return Transition(before=state, event=event, after=after)


def events_from(state: str) -> list[str]:
    """The events the machine accepts in ``state`` (what the pages may offer)."""
    return [event for (source, event) in TRANSITIONS if source == state]
