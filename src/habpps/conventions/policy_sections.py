"""The policy sections compiled from the conventions (issue 16 §2, §3): exported, never imported as such.

``perimeters`` (the profiles and user limits of each partner's validated convention), ``admin_roles`` (the
administrative roles of delegated administration) and ``history_exclusions`` (the four-eyes rule) are what the
policy build derives (`habpps.conventions.policy_rules`). Export writes them as the engine holds them; import
accepts a document whose sections are identical to what the platform derives and refuses any other, pointing to
the pages where they really change.
"""

from __future__ import annotations

from habpps.authorization.policy_sections import derived_section

derived_section(
    "perimeters",
    explanation="les périmètres découlent des conventions validées (profils accordés, nombres maximaux "
    "d'utilisateurs) : modifiez la convention de l'organisme par un avenant, sur la page « Conventions » de sa "
    "caisse (/conventions/), puis faites-la valider par un vérificateur.",
)
derived_section(
    "admin_roles",
    explanation="les rôles administratifs découlent des rôles d'administration attribués aux comptes et des "
    "délégations : modifiez-les sur la fiche du compte dans l'annuaire, ou sur la page « Gestion déléguée » de "
    "l'organisme (/annuaire/delegation/).",
)
derived_section(
    "history_exclusions",
    explanation="la règle des quatre yeux sur les conventions (une version est vérifiée par un autre que celui "
    "qui l'a saisie ou modifiée en dernier) fait partie du processus des conventions et ne se modifie pas par "
    "un document.",
)
