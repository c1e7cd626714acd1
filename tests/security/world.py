"""The world the access-control sweep attacks: two funds, each with every kind of actor and one object of every
kind a URL can name, built through the platform's own services (tests/conftest.py's network, extended).

Each side (``a``, ``b``) holds: the fund, its administrator and verifier, a CCAS partner with its administrator,
a delegate holding a perimeter, a user in a group holding the CDAP profile, a spare user in no group, a second
group, a validated convention with a submitted amendment (so a wrongful "validate" would really validate), a
paper step with its PDF, a deployment opening, a supervision finding, a recertification campaign and item, and
journal entries in the side's scope. ``markers`` are strings only that side's pages may show (names, logins):
a page served to the other side that contains one of them leaks.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from fpdf import FPDF

from conftest import make_network
from conventions.conftest import seed_convention_permissions
from supervision.conftest import seed_supervision_permissions
from workbench.conftest import example_text, seed_workbench_permission

SIDES = ("a", "b")
ACTOR_KINDS = ("fund_admin", "verifier", "partner_admin", "delegate", "user")


def other(side: str) -> str:
    return "b" if side == "a" else "a"


def tiny_pdf(text: str) -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=text)
    buffer = io.BytesIO()
    document.output(buffer)
    return buffer.getvalue()


@dataclass
class Side:
    """The objects of one fund, by the role they play in URLs."""

    key: str
    fund: object
    partner: object
    group: object
    second_group: object
    actors: dict[str, object]
    spare_user: object
    convention: object
    paper_step: object
    opening: object
    finding: object
    campaign: object
    item: object
    journal_sequence: int
    markers: list[str] = field(default_factory=list)


def _account(services, roles, organisation, first, last, *codes):
    return services.create_account(
        None,
        organisation,
        first_name=first,
        last_name=last,
        email=f"{first}.{last}@exemple.fr".lower(),
        roles=[roles[code] for code in codes],
        password="Motdepasse#2025",
    )


def build_world() -> SimpleNamespace:
    """Both sides and the national administrator; every object made by the services an administrator uses."""
    from habpps.conventions import services as conventions
    from habpps.conventions.delegation import services as delegation
    from habpps.directory import services
    from habpps.directory.deployment import set_opening
    from habpps.directory.models import Service
    from habpps.journal.models import JournalEntry
    from habpps.roleeng.mining import UserPermissionAssignment
    from habpps.supervision.models import Finding, FindingKind
    from habpps.supervision.recertification import open_campaign
    from habpps.workbench.documents import save_model
    from habpps.workbench.models import MiningRun
    from habpps.workbench.runs import start_run

    net = make_network()
    seed_convention_permissions()
    seed_supervision_permissions()
    seed_workbench_permission()
    roles = net.roles
    cdap = Service.objects.get(code="cdap")
    world = SimpleNamespace(net=net, roles=roles, cdap=cdap, national_admin=net.national_admin, sides={})
    # The workbench's objects belong to the national level: a stored role model and a finished mining run.
    world.role_model, _warnings = save_model(net.national_admin, example_text("cdap.yaml"))
    with override_settings(HABPPS_WORKBENCH_INLINE_RUNS=True):
        world.mining_run = start_run(
            net.national_admin,
            MiningRun.Source.FILE,
            UserPermissionAssignment.from_pairs([("u1", "p1"), ("u2", "p1"), ("u2", "p2")]),
            label="Fouille témoin",
            time_limit=5,
        )
    for key in SIDES:
        upper = key.upper()
        fund, partner, group = (
            getattr(net, f"fund_{key}"),
            getattr(net, f"partner_{key}"),
            getattr(net, f"group_{key}"),
        )
        fund_admin, verifier = getattr(net, f"fund_admin_{key}"), getattr(net, f"verifier_{key}")
        partner_admin, user = getattr(net, f"partner_admin_{key}"), getattr(net, f"user_{key}")
        second_verifier = _account(services, roles, fund, "Vera", f"Seconde{upper}", "Verifier")

        convention = getattr(net, f"convention_{key}", None)  # the shared network validates one already
        if convention is None:
            convention = conventions.create_convention(
                fund_admin, partner, reference=f"CAF-{upper}-2025-001", service_contract=f"CS-{upper}-001"
            )
            version = convention.versions.get()
            conventions.set_bulletin(fund_admin, version, cdap, {roles["cdap-ass-cesf"]: 10})
            conventions.submit(fund_admin, version)
            conventions.validate_version(verifier, version)
        amendment = conventions.amend(fund_admin, convention)
        # An amendment that changes nothing is refused at submission: this one renews the service contract.
        conventions.update_version(fund_admin, amendment, service_contract=f"CS-{upper}-002")
        conventions.submit(fund_admin, amendment)
        paper_step = conventions.record_paper_step(
            fund_admin,
            convention,
            kind="signature",
            occurred_on=date.today(),
            decision="favourable",
            note=f"Signée {upper}",
            document=SimpleUploadedFile(
                f"convention-{key}.pdf", tiny_pdf(f"Convention {upper}"), "application/pdf"
            ),
        )

        delegate = _account(services, roles, partner, "Damien", f"Delegue{upper}", "PartnerDelegate")
        second_group = services.create_group(None, partner, name=f"Accueil {upper}")
        delegation.delegate_perimeter(partner_admin, delegate, groups=[group], roles=[roles["cdap-ass-cesf"]])
        spare_user = _account(services, roles, partner, "Sacha", f"Libre{upper}")

        opening = set_opening(None, roles["cdap-ass-cesf"], fund, date.today() - timedelta(days=30))
        finding = Finding.objects.create(
            kind=FindingKind.INACTIVE_USER,
            subject=f"account:{user.login}",
            account=user,
            fund=fund,
            partner=partner,
            state="never",
            first_seen_at=convention.created_at,
            last_seen_at=convention.created_at,
            state_changed_at=convention.created_at,
        )
        campaign = open_campaign(fund_admin, name=f"Campagne {upper}")
        item = campaign.items.filter(partner=partner).first()
        journal_sequence = (
            JournalEntry.objects.filter(org_scope__startswith=f"national/fund:{fund.pk}/partner:{partner.pk}")
            .order_by("-sequence")
            .values_list("sequence", flat=True)
            .first()
        )
        actors = {
            "fund_admin": fund_admin,
            "verifier": verifier,
            "partner_admin": partner_admin,
            "delegate": delegate,
            "user": user,
        }
        people = [fund_admin, verifier, second_verifier, partner_admin, delegate, user, spare_user]
        markers = [partner.name, second_group.name, convention.reference]
        markers += [person.login for person in people] + [person.last_name for person in people]
        world.sides[key] = Side(
            key=key,
            fund=fund,
            partner=partner,
            group=group,
            second_group=second_group,
            actors=actors,
            spare_user=spare_user,
            convention=convention,
            paper_step=paper_step,
            opening=opening,
            finding=finding,
            campaign=campaign,
            item=item,
            journal_sequence=journal_sequence,
            markers=markers,
        )
    return world
