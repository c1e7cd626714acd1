"""Catalogues (RE-2): each permission once with its scenarios, constraints with their origin, Tableau 11."""

from __future__ import annotations

from habpps.roleeng.catalogues import constraint_catalogue, permission_catalogue, permission_table
from habpps.roleeng.loading import model_from_document


def test_permission_catalogue_lists_each_permission_once_with_its_scenarios(document):
    model, _ = model_from_document(document)
    records = {r.entry.id: r for r in permission_catalogue(model)}
    assert list(records) == ["P-LIRE", "P-ECRIRE", "P-VALIDER", "P-TRAITER"]
    assert records["P-LIRE"].scenarios == ("SC-CONSULTER", "SC-MAJ")
    assert records["P-LIRE"].part_of == ("P-TRAITER",)
    assert records["P-TRAITER"].elementary == ("P-ECRIRE", "P-LIRE")
    assert records["P-VALIDER"].scenarios == ("SC-VALIDER",)


def test_constraint_catalogue_links_permissions_scenarios_and_denials(document):
    model, _ = model_from_document(document)
    (record,) = constraint_catalogue(model)
    assert record.constraint.defined_by == "Encadrement"
    assert record.permissions == ("P-LIRE",)
    assert record.scenarios == ("SC-MAJ",)
    assert record.denials == (("SC-MAJ", "SEQ2"),)


def test_permission_table_has_one_row_per_scenario_and_elementary_permission(document):
    model, _ = model_from_document(document)
    rows = permission_table(model)
    assert [(r.scenario, r.permission) for r in rows] == [
        ("SC-CONSULTER", "P-LIRE"),
        ("SC-MAJ", "P-ECRIRE"),
        ("SC-MAJ", "P-LIRE"),
        ("SC-VALIDER", "P-VALIDER"),
    ]
    assert rows[2].actor_category == "Professionnel RH"
    assert rows[2].constraints == ("C-UO",)
