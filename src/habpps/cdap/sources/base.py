"""The port through which CDAP reads beneficiary files (CDP-8), and the errors every adapter speaks."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection

from django.utils.translation import gettext_lazy as _

from habpps.cdap.content import BeneficiaryFile


class SourceError(Exception):
    """A file could not be read; ``message`` is what the viewer is told, ``code`` what the journal keeps."""

    code = "source_error"
    message = _("Le dossier ne peut pas être consulté pour le moment. Réessayez dans quelques minutes.")

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail


class UnknownBeneficiary(SourceError):
    code = "unknown_beneficiary"
    message = _("Aucun dossier ne porte ce numéro d'allocataire dans votre caisse. Vérifiez le numéro saisi.")


class SourceUnavailable(SourceError):
    """The back end did not answer in time or answered with an error."""

    code = "source_unavailable"


class SourceTimeout(SourceUnavailable):
    code = "source_timeout"
    message = _(
        "Le système d'information de la caisse n'a pas répondu à temps. Le dossier n'a pas été affiché ; "
        "réessayez dans quelques minutes."
    )


class InvalidSourceAnswer(SourceUnavailable):
    """The back end answered something that is not a file: shown as unavailable, never half-rendered."""

    code = "source_invalid_answer"


class BeneficiaryFileSource(ABC):
    """Reads the requested sections of one beneficiary file of one fund.

    Adapters return only the sections asked for — the viewer's granted ones — so that data a profile may not
    see never even reaches the web process. A section the source does not know is simply absent from the file.
    """

    @abstractmethod
    def fetch(self, fund_code: str, number: str, sections: Collection[str]) -> BeneficiaryFile:
        """The file, or :class:`UnknownBeneficiary`, or another :class:`SourceError`."""
