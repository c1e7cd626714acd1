"""The JSON a back end sends for a file (CDP-8), its schema, and the two-way mapping to ``content`` objects.

French field names, as the network's back ends speak::

    {"numero": "1234567",
     "rubriques": {"droits": {"faits": [{"libelle": "…", "valeur": "…"}],
                              "tableaux": [{"titre": "…", "colonnes": ["…"],
                                            "lignes": [{"cellules": ["…"], "debut": "2025-01-01",
                                                        "fin": null, "montant": "148.52"}]}],
                              "synthese": [{"libelle": "…", "valeur": "…"}],
                              "note": ""}}}
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from jsonschema import Draft202012Validator

from habpps.cdap.content import BeneficiaryFile, Fact, Row, SectionContent, Table

_TEXT = {"type": "string", "maxLength": 2000}
_FACTS = {
    "type": "array",
    "maxItems": 200,
    "items": {
        "type": "object",
        "required": ["libelle", "valeur"],
        "properties": {"libelle": _TEXT, "valeur": _TEXT},
    },
}
_DATE = {"anyOf": [{"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}, {"type": "null"}]}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["numero", "rubriques"],
    "properties": {
        "numero": {"type": "string"},
        "rubriques": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z0-9][a-z0-9-]*$"},
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "faits": _FACTS,
                    "synthese": _FACTS,
                    "note": _TEXT,
                    "tableaux": {
                        "type": "array",
                        "maxItems": 50,
                        "items": {
                            "type": "object",
                            "required": ["titre", "colonnes", "lignes"],
                            "properties": {
                                "titre": _TEXT,
                                "colonnes": {"type": "array", "items": _TEXT, "minItems": 1, "maxItems": 20},
                                "lignes": {
                                    "type": "array",
                                    "maxItems": 5000,
                                    "items": {
                                        "type": "object",
                                        "required": ["cellules"],
                                        "properties": {
                                            "cellules": {"type": "array", "items": _TEXT, "maxItems": 20},
                                            "debut": _DATE,
                                            "fin": _DATE,
                                            "montant": {
                                                "anyOf": [
                                                    {"type": "string", "pattern": r"^-?\d{1,9}(\.\d{1,2})?$"},
                                                    {"type": "null"},
                                                ]
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}
VALIDATOR = Draft202012Validator(SCHEMA)


class WireError(ValueError):
    """The JSON is not a file; the message says where, for the server log (never for the viewer)."""


def _facts(items) -> list[dict]:
    return [{"libelle": fact.label, "valeur": fact.value} for fact in items]


def encode_file(beneficiary_file: BeneficiaryFile) -> dict:
    """The JSON of a file — what a back end answers; used by the test back end and the documentation."""
    return {
        "numero": beneficiary_file.number,
        "rubriques": {
            code: {
                "faits": _facts(section.facts),
                "synthese": _facts(section.summary),
                "note": section.note,
                "tableaux": [
                    {
                        "titre": table.title,
                        "colonnes": list(table.columns),
                        "lignes": [
                            {
                                "cellules": list(row.cells),
                                "debut": row.start.isoformat() if row.start else None,
                                "fin": row.end.isoformat() if row.end else None,
                                "montant": str(row.amount) if row.amount is not None else None,
                            }
                            for row in table.rows
                        ],
                    }
                    for table in section.tables
                ],
            }
            for code, section in beneficiary_file.sections.items()
        },
    }


def decode_file(document: object, fund_code: str, number: str, sections) -> BeneficiaryFile:
    """The file in ``document``, keeping only the ``sections`` asked for; ``WireError`` when it is not one."""
    error = next(iter(VALIDATOR.iter_errors(document)), None)
    if error is not None:
        location = "/".join(str(part) for part in error.absolute_path) or "(racine)"
        raise WireError(f"{location}: {error.message}")
    if document["numero"] != number:
        raise WireError(f"numero: {document['numero']!r} au lieu de {number!r}")
    wanted = set(sections)
    try:
        decoded = {
            code: SectionContent(
                code=code,
                facts=tuple(Fact(f["libelle"], f["valeur"]) for f in body.get("faits", [])),
                summary=tuple(Fact(f["libelle"], f["valeur"]) for f in body.get("synthese", [])),
                note=body.get("note", ""),
                tables=tuple(
                    Table(
                        title=table["titre"],
                        columns=tuple(table["colonnes"]),
                        rows=tuple(
                            Row(
                                cells=tuple(line["cellules"]),
                                start=date.fromisoformat(line["debut"]) if line.get("debut") else None,
                                end=date.fromisoformat(line["fin"]) if line.get("fin") else None,
                                amount=Decimal(line["montant"]) if line.get("montant") is not None else None,
                            )
                            for line in table["lignes"]
                        ),
                    )
                    for table in body.get("tableaux", [])
                ),
            )
            for code, body in document["rubriques"].items()
            if code in wanted
        }
    except ValueError as error:  # an impossible date such as 2025-02-30
        raise WireError(str(error)) from error
    return BeneficiaryFile(fund_code=fund_code, number=number, sections=decoded)
