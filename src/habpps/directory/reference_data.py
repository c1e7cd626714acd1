"""The network's seeded configuration: defaults an administrator edits afterwards, never constants in code.

Seeded by the migration ``directory/0002_reference_data``: the administrative roles and their permissions, the
partner types of the slides (ADM-3), the CDAP service with its access profiles, the sections each profile sees
(the doctrine table of CDP-3, literal reading) and which partner types may receive each profile.
"""

from __future__ import annotations

ADMINISTRATION_SERVICE = {
    "code": "habpps",
    "name": "Habpps — gestion des habilitations",
    "description": "Le module d'habilitation du portail : ses rôles d'administration.",
}

PARTNER_TYPES = [
    (
        "carsat",
        "Service social de Carsat",
        "Assistants de service social des Caisses d'assurance retraite et de la santé au travail.",
    ),
    ("msa", "Service social de la MSA", "Assistants de service social de la Mutualité sociale agricole."),
    (
        "cnav-idf",
        "Cnav — service social d'Île-de-France",
        "Services de la Cnav assurant le rôle d'une Carsat en Île-de-France.",
    ),
    (
        "etablissement-sante",
        "Établissement de santé ou médico-social",
        "Hôpitaux, cliniques, établissements médico-sociaux, quelle que soit leur nature juridique.",
    ),
    (
        "ccas",
        "Centre communal d'action sociale (CCAS)",
        "Travailleurs sociaux des CCAS : éducateurs spécialisés et CESF.",
    ),
    (
        "prestataire-action-sociale",
        "Prestataire de services sociaux financé par la Caf",
        "Bénéficiaires de crédits d'action sociale de la Caf.",
    ),
    ("instructeur-rsa", "Organisme instructeur du RSA", "Accès après vérification du numéro instructeur."),
    (
        "conseil-departemental",
        "Conseil départemental ou agence départementale d'insertion (DOM)",
        "Agents sous la responsabilité du président du conseil départemental chargés du suivi des dossiers RSA ; services contentieux et contrôle.",
    ),
    ("cpam", "Caisse primaire d'assurance maladie (CPAM)", ""),
]

CDAP_SERVICE = {
    "code": "cdap",
    "name": "CDAP — consultation du dossier allocataire par les partenaires",
    "description": "Consultation d'un dossier allocataire par rubrique, à partir du numéro d'allocataire.",
}

# Sections of a beneficiary file (CDP-2), as engine objects ``cdap.section.<code>``.
CDAP_SECTIONS = [
    ("dossier", "Dossier"),
    ("droits", "Droits"),
    ("adresse", "Adresse"),
    ("famille", "Famille"),
    ("logement", "Logement"),
    ("rsa", "RSA"),
    ("paiement", "Paiement"),
    ("courrier", "Courrier"),
    ("ressources", "Ressources"),
    ("creances", "Créances"),
    ("attestation-paiement", "Attestation de paiement"),
    ("qf", "QF CNAF"),
    ("enfants", "Enfants"),
]
CDAP_CONSULT = "consulter"
CDAP_ACCESS = ("acceder", "cdap")


def cdap_section(code: str) -> str:
    return f"cdap.section.{code}"


# The CDP-3 table (literal reading) and the partner types of the slides' T1–T5 transposition.
CDAP_PROFILES = [
    {
        "code": "cdap-ass-cesf",
        "name": "Assistant de service social – CESF",
        "sections": [
            "dossier",
            "droits",
            "adresse",
            "famille",
            "logement",
            "rsa",
            "paiement",
            "courrier",
            "ressources",
            "creances",
            "attestation-paiement",
        ],
        "partner_types": ["carsat", "msa", "cnav-idf", "etablissement-sante", "ccas"],
    },
    {
        "code": "cdap-prestataire-action-sociale",
        "name": "Prestataire de services sociaux (action sociale)",
        "sections": ["qf", "enfants"],
        "partner_types": ["prestataire-action-sociale"],
    },
    {
        "code": "cdap-instructeur-rsa-cpam",
        "name": "Instructeur RSA et CPAM",
        "sections": ["rsa", "ressources"],
        "partner_types": ["instructeur-rsa", "conseil-departemental", "cpam"],
    },
    {
        "code": "cdap-cd-contentieux",
        "name": "Conseil départemental – service contentieux",
        "sections": [],
        "partner_types": ["conseil-departemental"],
    },
    {
        "code": "cdap-cd-controle",
        "name": "Conseil départemental – service contrôle",
        "sections": [],
        "partner_types": ["conseil-departemental"],
    },
]
