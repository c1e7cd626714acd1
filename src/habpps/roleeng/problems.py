"""Problems found in a role-engineering model, each with its place in the document and a French message.

Loading reports *every* problem at once, so that an analyst fixes a model in one pass; an error blocks the model
(nothing is derived or imported), a warning does not (an unused permission, a scenario no task uses…).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

#: A place in the document: keys and list indexes from the root, e.g. ``("scenarios", 0, "steps", 1)``.
Location = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "erreur"
    WARNING = "avertissement"


@dataclass(frozen=True)
class Problem:
    """One problem: where (path, and line when the document was YAML text), a stable code, a French message."""

    location: Location
    code: str
    message: str
    severity: Severity = Severity.ERROR
    line: int | None = None

    @property
    def path(self) -> str:
        """The location written as in the documentation: ``scenarios[0].steps[1].permissions[0]``."""
        return format_location(self.location)

    def __str__(self) -> str:
        where = self.path or "(document)"
        if self.line is not None:
            where = f"{where} (ligne {self.line})"
        return f"{self.severity} — {where} : {self.message}"


def format_location(location: Location) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def line_at(location: Location, lines: Mapping[Location, int] | None) -> int | None:
    """The line of a location, or of its closest parent present in the document (a missing field has none)."""
    if not lines:
        return None
    for end in range(len(location), -1, -1):
        if location[:end] in lines:
            return lines[location[:end]]
    return None


class ModelInvalid(Exception):
    """Raised when a model has at least one error; carries every problem found (errors and warnings)."""

    code = "modele_invalide"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        errors = [p for p in self.problems if p.severity is Severity.ERROR]
        super().__init__(f"Modèle invalide : {len(errors)} erreur(s).\n" + "\n".join(map(str, errors)))

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)
