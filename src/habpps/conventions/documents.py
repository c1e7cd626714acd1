"""The paper documents attached to a convention (CNV-5): PDFs only, recognised by their content, size-limited.

The browser's declared type and the file name prove nothing; what is checked is the bytes: a PDF header in the
first kilobyte (as readers accept it) and an end-of-file marker in the last one, so that a renamed executable or
a truncated upload is refused with a French message.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from habpps.conventions.conf import setting

PDF_HEADER = b"%PDF-"
PDF_END = b"%%EOF"
WINDOW = 1024


def read_edges(uploaded) -> tuple[bytes, bytes]:
    """The first and last ``WINDOW`` bytes of an uploaded or stored file, leaving its position at 0."""
    uploaded.seek(0)
    head = uploaded.read(WINDOW)
    size = uploaded.size
    uploaded.seek(max(0, size - WINDOW))
    tail = uploaded.read(WINDOW)
    uploaded.seek(0)
    return head, tail


def validate_pdf(uploaded) -> None:
    """Refuse anything but a PDF within the configured size (``HABPPS_CONVENTION_DOCUMENT_MAX_BYTES``)."""
    limit = setting("HABPPS_CONVENTION_DOCUMENT_MAX_BYTES")
    if uploaded.size > limit:
        raise ValidationError(
            _("Le document dépasse la taille autorisée (%(limit)s).") % {"limit": filesizeformat(limit)},
            code="document_too_large",
        )
    if uploaded.size == 0:
        raise ValidationError(_("Le document est vide."), code="document_empty")
    head, tail = read_edges(uploaded)
    if PDF_HEADER not in head or PDF_END not in tail:
        raise ValidationError(
            _("Le document n'est pas un PDF : son contenu ne commence pas comme un fichier PDF."),
            code="document_not_pdf",
        )
