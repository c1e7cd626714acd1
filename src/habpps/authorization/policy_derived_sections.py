"""Policy document sections the platform *derives* rather than stores as such (issue 16 §2–3).

Administrative roles and their assignments, delegations, convention perimeters, the conventions' four-eyes rule
and the accounts' organisations are compiled into the engine from validated conventions, delegations and
accounts (`habpps.authorization.policy_rules`). A document may carry them — the export writes them — and an import
accepts them when they are exactly what the platform derives; otherwise it refuses the whole document and says,
in French, on which page the rule is really changed. The engineer who compiles a section may register it again
(same key) with a more precise exporter or explanation.
"""

from __future__ import annotations

from habpps.authorization.policy_sections import derived_section

_CONVENTIONS = ("elles découlent des conventions validées : on les change en faisant valider une nouvelle version "
                "de la convention du partenaire (pages « Conventions »), pas par un document de politique.")

derived_section(
    "admin_roles",
    explanation="les rôles administratifs (administrateur national, de caisse, de partenaire, délégué) et leurs "
                "périmètres " + _CONVENTIONS,
)
derived_section(
    "admin_assignments",
    explanation="on donne un rôle administratif en attribuant le profil d'administrateur sur la fiche du compte "
                "(pages « Annuaire »), ou par une délégation (pages « Délégation »).",
)
derived_section(
    "delegations",
    explanation="les délégations se créent et se retirent sur les pages « Délégation » de l'organisme, dans la "
                "limite de ce que détient l'administrateur qui délègue.",
)
derived_section("perimeters", explanation="les profils et limites d'utilisateurs d'un partenaire " + _CONVENTIONS)
derived_section(
    "history_exclusions",
    explanation="la règle des quatre yeux des conventions (qui saisit ou modifie une version ne la valide pas) est "
                "une règle de la plateforme, appliquée à toutes les conventions.",
)
derived_section(
    "user_orgs",
    explanation="l'organisme d'un compte se choisit à sa création (pages « Annuaire ») et ne change pas par un "
                "document de politique.",
)
