"""Export → import → export on a network with every section of the policy document populated (issue 16 §3).

The document is the network's own, extended through the engine's functions with one item (or field) of every
section the engine knows. Each section registered with an importer must be stored and exported back unchanged;
every other one must make the import refuse the whole document, naming it, and store nothing. As engineers
register their sections, this test moves sections from the second group to the first by itself — once every
section is stored, it is the plain round trip.
"""

import pytest

from habpps.authorization.orgs import group_name
from habpps.authorization.policy_sections import (
    PolicyImportError,
    export_document,
    import_document,
    section,
)
from habpps.engine import RBAC, attr

ROLE_FIELDS = {"descends", "max_users"}
USER_FIELDS = {"max_roles", "max_sessions"}


def _every_section(net) -> dict:
    rbac = RBAC.load(export_document())
    social, partner_unit = "cdap-ass-cesf", net.user_a.org_unit
    rbac.add_inheritance("NationalAdmin", "Verifier")
    rbac.set_role_descends("Verifier", False)
    rbac.set_role_max_users("NationalAdmin", 5)
    rbac.set_user_max_roles(net.user_a.login, 3)
    rbac.set_user_max_sessions(net.user_a.login, 2)
    rbac.create_ssd_set("ssd-essai", ["NationalAdmin", social], 2)
    rbac.create_dsd_set("dsd-essai", ["FundAdmin", "Verifier"], 2)
    rbac.add_context_attribute("heure", function="current_time")
    rbac.add_context_attribute("grade", function="subject_attribute", domain="int", parameter="grade")
    rbac.add_context_constraint("journee", [("between", [attr("heure"), "07:00", "20:00"])])
    rbac.link_permission_constraint("consulter", "cdap.section.dossier", "journee")
    rbac.link_grant_constraint(social, "consulter", "cdap.section.dossier", "journee")
    rbac.set_user_attributes(net.user_a.login, {"grade": 3})
    rbac.link_activation_constraint("Verifier", "journee")
    rbac.set_user_temporal(net.user_b.login, {"end_date": "2030-12-31"})
    rbac.set_role_temporal("Verifier", {"weekdays": [1, 2, 3, 4, 5]})
    rbac.set_group_assignment_temporal(group_name(net.group_a.pk), social, partner_unit,
                                       {"begin_date": "2025-01-01", "end_date": "2030-06-30"})
    rbac.create_exclusion("admin-verificateur", ["FundAdmin", "Verifier"], risk="require_approval")
    rbac.create_history_exclusion("quatre-yeux", obj="convention", done=["saisir"], then="valider")
    rbac.add_admin_role("admin-essai", roles=[social], abilities=["assign", "revoke", "delegate"])
    rbac.assign_admin(net.fund_admin_a.login, "admin-essai", net.fund_admin_a.org_unit)
    rbac.delegate_authority("deleg-essai", net.fund_admin_a.login, net.partner_admin_a.login, [social],
                            orgs=[partner_unit], abilities=["assign"])
    rbac.set_perimeter(partner_unit, [social], {social: 10})
    rbac.set_user_org(net.user_a.login, partner_unit)
    rbac.add_population_rule(social, "dossier", "perimetre", "org_subtree", field="uo", default=True)
    rbac.set_field_access(social, "dossier", "montant", "read")
    rbac.set_action_limits(social, "consultation", max_per_day=50)
    return rbac.export()


def _stored(key: str) -> bool:
    registered = section(key)
    return registered is not None and registered.importable


def _stores_fields(key: str, fields: set[str]) -> bool:
    stored = section(key).stored_fields
    return stored is None or fields <= stored


def test_every_section_is_stored_and_exported_back_or_refused_by_name(network):
    before = export_document()
    full = _every_section(network)
    # Sections the platform compiles (perimeters, the four-eyes rule) are in every export: count what changed.
    extension_keys = {k for k, v in full.items() if k != "format" and v and v != before.get(k)}
    assert len(extension_keys) >= 20, sorted(extension_keys)
    unstored = sorted(k for k in full if k != "format" and full[k] and not _stored(k))
    fields_unstored = [("roles", f) for f in sorted(ROLE_FIELDS) if not _stores_fields("roles", {f})]
    fields_unstored += [("users", f) for f in sorted(USER_FIELDS) if not _stores_fields("users", {f})]
    # Sections the platform derives (from conventions, delegations, its four-eyes rule) import only unchanged.
    derived = sorted(k for k in full if k != "format" and full[k] and _stored(k) and section(k).derived
                     and full[k] != before.get(k))
    if not unstored and not fields_unstored and not derived:
        import_document(full)
        assert export_document() == full
        import_document(full)
        assert export_document() == full
        return
    with pytest.raises(PolicyImportError) as refused:
        import_document(full)
    errors = "\n".join(refused.value.errors)
    for key in [*unstored, *derived]:
        assert f"section « {key} »" in errors
    for key, name in fields_unstored:
        assert f"champ « {name} » de la section « {key} »" in errors
    assert export_document() == before
    if not unstored and not fields_unstored:  # every stored section, the derived ones as the platform has them
        document = {**{k: v for k, v in full.items() if k not in derived},
                    **{k: before[k] for k in derived if k in before}}
        import_document(document)
        assert export_document() == document
        import_document(document)
        assert export_document() == document


@pytest.mark.parametrize("key", ["inheritance", "ssd_sets", "dsd_sets", "exclusions", "temporal_constraints",
                                 "permission_constraints", "grant_constraints", "user_attributes",
                                 "activation_constraints", "populations",
                                 "action_limits", "admin_roles", "perimeters"])
def test_each_stored_section_round_trips_alone(network, key):
    """Section by section (with what it needs), so one engineer's section is checked without waiting for all."""
    if not _stored(key):
        pytest.skip(f"la section « {key} » n'est pas encore stockée")
    before = export_document()
    full = _every_section(network)
    needs = {"permission_constraints": ["context_attributes", "context_constraints"],
             "grant_constraints": ["context_attributes", "context_constraints"],
             "activation_constraints": ["context_attributes", "context_constraints"],
             "admin_roles": [], "perimeters": []}.get(key, [])
    document = {**before, **{k: full[k] for k in [key, *needs]}}
    if section(key).derived:
        pytest.skip(f"« {key} » est dérivée : elle se modifie sur les pages des conventions et délégations")
    if any(not _stored(k) for k in needs):
        pytest.skip("une section dont elle dépend n'est pas encore stockée")
    import_document(document)
    assert export_document()[key] == full[key]
