"""The extended model of the demo (issue 16 §5): what a visitor sees working.

- a hierarchy among administrative roles (the partner administrator holds everything its delegate holds) and
  among CDAP profiles (the département's litigation service ≥ its control service ≥ the RSA instructor);
- the Administrateur Caf / Vérificateur rule (seeded by migration, ``require_approval``): the first fund's
  administrator asked to become its verifier too, the request waits in « À approuver » for the second national
  administrator;
- a ``report`` exclusion — a partner administrator who is also a CDAP user of its partner — that one change
  breaks, listed on the least-privilege dashboard (SUP-7);
- an SSD set (national and fund administration are not held together), a role limited to its own unit, a
  unique-ish role (at most 5 national administrators);
- a DSD set (ENG-2): the second fund's administrator is also its verifier — asked by the first national
  administrator, approved by the second — and acts as one or the other in a session, chosen with the header's
  role switcher (``DSD_LOGIN_ROLE`` in the logins `habpps demo` prints).

Everything goes through the same services as the pages, so it is journalled and in the policy documents.
"""

from __future__ import annotations

from habpps.accounts.models import Account
from habpps.authorization import approvals, model_services
from habpps.authorization.models import PendingApproval
from habpps.directory import services
from habpps.directory.models import AccountRoleAssignment, Group, GroupRoleAssignment, ServiceRole

DSD_SET = "Saisir ou vérifier"
DSD_LOGIN_ROLE = "Administrateur Caf et Vérificateur (un seul rôle actif à la fois)"


def seed_demo_model(national_admin: Account, second_national_admin: Account) -> None:
    roles = {role.code: role for role in ServiceRole.objects.all()}
    model_services.add_inheritance(national_admin, roles["PartnerAdmin"], roles["PartnerDelegate"])
    for senior, junior in (("cdap-cd-contentieux", "cdap-cd-controle"),
                           ("cdap-cd-controle", "cdap-instructeur-rsa-cpam")):
        if senior in roles and junior in roles:
            model_services.add_inheritance(national_admin, roles[senior], roles[junior])
    model_services.create_separation_set(
        national_admin, kind="ssd", name="Administration nationale ou locale", cardinality=2,
        members=[(roles["NationalAdmin"], ""), (roles["FundAdmin"], "")],
        description="Un administrateur national n'administre pas en même temps une caisse.",
    )
    model_services.set_role_rule(national_admin, roles["PartnerDelegate"], descends=False, max_users=None)
    model_services.set_role_rule(national_admin, roles["NationalAdmin"], descends=True, max_users=5)

    # require_approval: the demo's fund administrator (the one `habpps demo` prints) asked to become its
    # fund's verifier too.
    fund_admins = list(AccountRoleAssignment.objects.current()
                       .filter(role=roles["FundAdmin"], account__status="active").order_by("account_id")[:2])
    if fund_admins:
        services.grant_account_role(national_admin, fund_admins[0].account, roles["Verifier"])

    # DSD: whoever holds both enters or verifies, never both in one session; the second fund's administrator
    # holds both (the require_approval rule waived by the second national administrator) and switches roles.
    model_services.create_separation_set(
        national_admin, kind="dsd", name=DSD_SET, cardinality=2,
        members=[(roles["FundAdmin"], ""), (roles["Verifier"], "")],
        description="Qui administre une caisse et la vérifie choisit, pour chaque session, l'un ou l'autre rôle.",
    )
    if len(fund_admins) > 1:
        held = services.grant_account_role(national_admin, fund_admins[1].account, roles["Verifier"])
        if isinstance(held, PendingApproval):
            approvals.approve(second_national_admin, held)

    # report: a partner administrator also in its partner's CDAP group.
    assignment = (GroupRoleAssignment.objects.current().filter(role__service__code="cdap")
                  .select_related("group", "role").order_by("group_id").first())
    if assignment is None:
        return
    model_services.create_exclusion(
        national_admin, name="Administrateur partenaire et utilisateur CDAP", risk="report", cardinality=2,
        members=[{"role": roles["PartnerAdmin"], "org": ""}, {"role": assignment.role, "org": ""}],
        description="Celui qui administre les habilitations d'un partenaire ne consulte pas lui-même les "
        "dossiers : toléré, mais signalé au tableau de bord du moindre privilège.",
    )
    group: Group = assignment.group
    partner_admin = (AccountRoleAssignment.objects.current().filter(role=roles["PartnerAdmin"],
                                                                   account__partner_id=group.partner_id)
                     .order_by("account_id").first())
    if partner_admin is not None:
        services.add_group_member(None, group, partner_admin.account)
