"""Paper documents are PDFs recognised by their content and size-limited (CNV-5)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from habpps.conventions.documents import validate_pdf

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(content: bytes, name: str = "convention.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_pdf_is_accepted():
    validate_pdf(upload(PDF))


def test_a_renamed_executable_is_refused_whatever_its_name_and_declared_type():
    with pytest.raises(ValidationError, match="n'est pas un PDF") as refused:
        validate_pdf(upload(b"MZ\x90\x00" + b"\x00" * 200))
    assert refused.value.code == "document_not_pdf"


def test_a_truncated_pdf_is_refused():
    with pytest.raises(ValidationError, match="n'est pas un PDF"):
        validate_pdf(upload(PDF[:40]))


def test_the_size_limit_is_a_setting(settings):
    settings.HABPPS_CONVENTION_DOCUMENT_MAX_BYTES = 64
    with pytest.raises(ValidationError, match="taille autorisée") as refused:
        validate_pdf(upload(PDF + b" " * 64))
    assert refused.value.code == "document_too_large"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="vide"):
        validate_pdf(upload(b""))
