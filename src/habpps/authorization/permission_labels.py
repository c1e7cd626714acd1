"""Permissions and engine sentences in words people know (ADM-7): « Gérer les comptes des partenaires », not
``gerer comptes-partenaires``; « groupe Travailleurs sociaux de CCAS de Paris », not ``group:26``.

The engine names things by code (operations, objects, ``partner:42``, ``group:7``, ``cdap-ass-cesf``); pages show
these labels and keep the codes for a « Détail technique » a person may open. Labels of objects the directory
does not know (a CDAP section) are looked up by model name, so that this module imports no app built on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.apps import apps

OPERATIONS = {
    "gerer": "Gérer",
    "consulter": "Consulter",
    "saisir": "Saisir",
    "verifier": "Vérifier",
    "valider": "Valider",
    "certifier": "Certifier",
    "deleguer": "Déléguer",
    "lancer": "Lancer",
    "parametrer": "Paramétrer",
    "recevoir": "Recevoir",
    "acquitter": "Prendre en compte",
    "utiliser": "Utiliser",
    "attribuer": "Attribuer",
    "acceder": "Accéder à",
    "reprendre": "Reprendre",
}

OBJECTS = {
    "caisses": "les caisses",
    "catalogue": "le catalogue des services",
    "comptes-caisse": "les comptes des agents de caisse",
    "comptes-partenaires": "les comptes des partenaires",
    "doctrine": "la doctrine nationale",
    "partenaires": "les organismes partenaires",
    "groupes": "les groupes",
    "habilitations": "les habilitations",
    "politique-authentification": "la politique d'authentification",
    "journal": "le journal",
    "conventions": "les conventions",
    "versions-convention": "les versions de convention",
    "supervision": "la supervision",
    "alertes-supervision": "les alertes de la supervision",
    "alertes-cdap": "les alertes CDAP",
    "recertification": "la recertification",
    "atelier-roles": "l'atelier des rôles",
    "cdap": "le service CDAP",
    "rubriques-cdap": "les rubriques CDAP",
}

# Pairs whose words do not follow « verb + object » (French contracts « à le » into « au »).
PAIRS = {
    ("acceder", "cdap"): "Accéder au service CDAP",
    # Its author only (the engine's rule « auteur-version-convention »).
    ("reprendre", "versions-convention"): "Abandonner ou retirer de la vérification les versions de convention qu'on a saisies",
}

SECTION_PREFIX = "cdap.section."


def _section_names() -> dict[str, str]:
    try:
        section = apps.get_model("cdap", "Section")
    except LookupError:
        return {}
    return dict(section.objects.values_list("code", "name"))


class PermissionLabels:
    """Labels of (operation, object) pairs, loaded once per page."""

    def __init__(self) -> None:
        self._sections: dict[str, str] | None = None

    def object(self, obj: str) -> str:
        if obj.startswith(SECTION_PREFIX):
            if self._sections is None:
                self._sections = _section_names()
            code = obj.removeprefix(SECTION_PREFIX)
            return f"la rubrique « {self._sections.get(code, code.replace('-', ' ').capitalize())} »"
        return OBJECTS.get(obj, obj.replace("-", " ").replace(".", " "))

    def __call__(self, operation: str, obj: str) -> str:
        if (operation, obj) in PAIRS:
            return PAIRS[(operation, obj)]
        verb = OPERATIONS.get(operation, operation.capitalize())
        return f"{verb} {self.object(obj)}"


def humanise(sentence: str, names: Mapping[str, str]) -> str:
    """``sentence`` with every engine name found in ``names`` (units, groups, roles, logins) replaced by its label."""
    if not names:
        return sentence
    pattern = re.compile("|".join(re.escape(name) for name in sorted(names, key=len, reverse=True)))
    return pattern.sub(lambda match: names[match.group(0)], sentence)
