"""What the conventions compile into the engine (CNV-1, CNV-2, CNV-3): the rules themselves live in the engine.

- **Perimeters** (ENG-12): each partner's unit gets the profiles its validated convention grants, within the
  national doctrine for its type, in force, and — for RSA instructor partners — only once the instructor number
  was checked; with the convention's per-profile user limits. A partner without a validated convention gets an
  empty perimeter: no profile may be granted there. The engine refuses any grant outside it, for whoever acts.
- **The four-eyes rule** (ENG-7 object-history exclusion): whoever entered or last changed a convention version
  may not decide on it; and its dual, **the author rule** (``required``): only who entered a version gives it
  up or takes it back from the verifiers.
- **Delegated administration** (ADM-4, ENG-12): the partner administrators' authority and their delegations
  (`habpps.conventions.delegation.policy_rules`).

Registered with `habpps.authorization.policy_rules` from ``ConventionsConfig.ready``; the policy build loads
them, and a change that moves them (a version validated, a convention ended, the doctrine changed) logs the
calls that move them in every process. A change derives again only the partners whose records it wrote (the
change-capture triggers of migration 0006 name them), unless it wrote what every partner's rules depend on.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from habpps.authorization import policy_rules
from habpps.authorization.orgs import partner_unit
from habpps.conventions.conf import setting
from habpps.conventions.models import BulletinProfile, ConventionVersion
from habpps.conventions.permissions import DECIDE_VERSION, TAKE_BACK_VERSION
from habpps.conventions.workflow import VersionState
from habpps.directory.models import DoctrineRule, Partner, ServiceRole, Status
from habpps.engine.exclusions import HistoryExclusion

FOUR_EYES_RULE = "quatre-yeux-convention"
ENTERED, CHANGED = "saisir", "modifier"
FOUR_EYES = HistoryExclusion(
    FOUR_EYES_RULE, DECIDE_VERSION.obj, frozenset({ENTERED, CHANGED}), DECIDE_VERSION.operation, "block"
)
AUTHOR_RULE = "auteur-version-convention"
AUTHOR_ONLY = HistoryExclusion(
    AUTHOR_RULE, TAKE_BACK_VERSION.obj, frozenset({ENTERED}), TAKE_BACK_VERSION.operation, "block", required=True
)
"""Only who entered a version gives it up or takes it back from the verifiers (ENG-7, ``required`` form)."""


def perimeters(
    proposed: ConventionVersion | None = None, partners: policy_rules.Partners = None
) -> list[dict[str, Any]]:
    """One perimeter per partner unit, from the validated convention in force (empty without one).

    ``proposed``: compile as if this version of a convention were the validated one — what validating it would
    make of its partner's perimeter (the amendment's impact, `habpps.conventions.impact`). ``partners``: only
    theirs (a change derives again the partners it touched, not the 30,000 of a national policy).
    """
    access_profiles = dict(
        ServiceRole.objects.filter(status=Status.ACTIVE, service__status=Status.ACTIVE, account_level="")
        .values_list("id", "code")
    )
    doctrine: dict[int, set[int]] = defaultdict(set)
    for partner_type_id, role_id in DoctrineRule.objects.values_list("partner_type_id", "role_id"):
        doctrine[partner_type_id].add(role_id)
    instructor_types = set(setting("HABPPS_INSTRUCTOR_NUMBER_PARTNER_TYPES"))
    validated = ConventionVersion.objects.filter(state=VersionState.VALIDATED, convention__ended_at__isnull=True)
    if partners is not None:
        validated = validated.filter(convention__partner_id__in=partners)
    versions = {version.convention.partner_id: version for version in validated.select_related("convention")}
    if proposed is not None:
        versions[proposed.convention.partner_id] = proposed
    granted: dict[int, dict[int, int | None]] = defaultdict(dict)
    rows = BulletinProfile.objects.filter(bulletin__version__in=list(versions.values())).values_list(
        "bulletin__version_id", "role_id", "max_users"
    )
    for version_id, role_id, max_users in rows:
        granted[version_id][role_id] = max_users
    result = []
    rows = Partner.objects.all() if partners is None else Partner.objects.filter(id__in=partners)
    for partner_id, partner_type_id, type_code in rows.values_list(
        "id", "partner_type_id", "partner_type__code"
    ).order_by("id"):
        roles: list[str] = []
        limits: dict[str, int] = {}
        version = versions.get(partner_id)
        if version is not None and (type_code not in instructor_types or version.instructor_number_checked):
            for role_id, limit in granted[version.pk].items():
                if role_id in access_profiles and role_id in doctrine[partner_type_id] and limit != 0:
                    roles.append(access_profiles[role_id])
                    if limit is not None:
                        limits[access_profiles[role_id]] = limit
        item: dict[str, Any] = {"org": partner_unit(partner_id), "roles": sorted(roles)}
        if limits:
            item["max_users"] = dict(sorted(limits.items()))
        result.append(item)
    return result


def contribution(partners: policy_rules.Partners = None) -> policy_rules.Sections:
    """The convention perimeters and the four-eyes rule, and the delegated administration built on them (ADM-4:
    the partner administrator's authority is the convention's profiles; his delegations narrow it) — of
    ``partners`` only when given."""
    from habpps.conventions.delegation import policy_rules as delegation_rules

    derived = perimeters(partners=partners)
    return {
        "perimeters": derived,
        "history_exclusions": [FOUR_EYES.as_dict(), AUTHOR_ONLY.as_dict()] if partners is None else [],
        **delegation_rules.sections(derived, partners),
    }


def register() -> None:
    """Called from ``ConventionsConfig.ready``."""
    policy_rules.register("conventions", contribution)
