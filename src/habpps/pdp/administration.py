"""Administrative questions on a lean decision server: who answers them, and the policy file's honest refusal.

``POST /api/v1/decisions`` also answers the administrative questions the pages decide (``attribuer-profil`` on
``group:7/cdap-ass-cesf`` in ``partner:3``…, ``habpps.authorization.admin_questions``). A decision server tells
them from permission questions by one hash probe on the operation (`Administration.operations`), so that an
ordinary question pays nothing more, and hands them to its source's `Administration`:

- ``habpps serve --decisions`` (``platform_source``): the platform's own answerers — the same answer, reason,
  sentence and journal entry as the platform's endpoint, whichever process the reverse proxy picks;
- ``habpps pdp --policy FILE`` (`NOT_SERVED`): the questions are about the platform's records (its groups, their
  partner, the partner's validated convention and user limits, the accounts, the conventions' versions), which a
  policy document does not hold. Answering them from the document alone would give a different answer than the
  platform's for the same question, so the file server refuses them with a reason that says so —
  ``administrative_question_not_served``, always explained — rather than a bare ``false`` a caller would take for
  the policy's refusal.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any, Protocol

NOT_SERVED_REASON = "administrative_question_not_served"

OPERATION_NAMES = (
    "attribuer-profil", "retirer-profil", "ajouter-membre", "retirer-membre", "gerer-groupe", "creer-groupe",
    "gerer-compte", "attribuer-role", "creer-compte", "deleguer-perimetre", "valider-version", "abandonner-version",
    "retirer-version",
)
"""The administrative operations the platform answers (the table of ``docs/api.md``), known here without Django
for the policy file server; ``tests/api/test_lean_decisions.py`` checks them against the operations the
platform registers."""
PLATFORM_OPERATIONS = frozenset(OPERATION_NAMES)


class Administration(Protocol):
    """Who answers the administrative questions a decision server is asked."""

    operations: Container[str]
    """The administrative operations (a set or a dict's keys: one hash probe per question)."""

    always_explained: bool
    """Whether every answer carries its explanation, asked for or not (a refusal that is not the policy's)."""

    def answer(self, user: str, operation: str, obj: str, org: str | None) -> Any:
        """The answer, shaped as an engine ``Decision``: ``granted``, ``reason``, ``message``, ``path`` (None) and
        ``failed_constraints``."""


@dataclass(frozen=True)
class Unanswered:
    """An administrative question this decision point does not serve, shaped as an engine ``Decision``."""

    operation: str
    granted: bool = False
    reason: str = NOT_SERVED_REASON
    path: None = None
    failed_constraints: tuple[dict[str, Any], ...] = field(default=())

    @property
    def message(self) -> str:
        return (f"Refusé : « {self.operation} » est une question d'administration, sur les enregistrements de la "
                "plateforme (groupes, comptes, conventions) qu'un document de politique ne contient pas ; ce point "
                "de décision ne la sert pas. Posez-la à la plateforme (POST /api/v1/decisions) ou à un point de "
                "décision « habpps serve --decisions ».")


class NotServed:
    """The policy file server's administration: every administrative question refused as not served."""

    operations: Container[str] = PLATFORM_OPERATIONS
    always_explained = True

    def answer(self, user: str, operation: str, obj: str, org: str | None) -> Unanswered:
        return Unanswered(operation)


NOT_SERVED = NotServed()
