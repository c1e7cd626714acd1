"""Figures of the conventions module, overridable in the settings; the defaults follow the slides.

They are read at call time (never at import) so that a test or a deployment changing a setting is obeyed at once.
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    # CNV-5: attached paper documents are PDFs of at most this size.
    "HABPPS_CONVENTION_DOCUMENT_MAX_BYTES": 10 * 1024 * 1024,
    # CNV-1: partner types whose profiles are granted only once the instructor number is recorded and checked
    # (« organismes instructeurs du Rsa (accès après vérification du numéro instructeur) »).
    "HABPPS_INSTRUCTOR_NUMBER_PARTNER_TYPES": ["instructeur-rsa"],
    # The shape of an RSA instructor number: letters and digits.
    "HABPPS_INSTRUCTOR_NUMBER_PATTERN": r"^[0-9A-Z]{5,20}$",
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])
