"""`habpps demo` seeds a believable network once, and prints a login for each role."""

from habpps.accounts.models import Account
from habpps.conventions.demo_network import demo_logins, seed_demo_network
from habpps.directory.demo_model import DSD_LOGIN_ROLE
from habpps.directory.models import Fund, GroupRoleAssignment, Partner, PartnerType
from habpps.journal.models import JournalEntry
from habpps.journal.verification import verify_journal


def test_demo_network_is_seeded_once_and_covers_every_role(db):
    seed_demo_network(users_per_group=1)
    counts = (Fund.objects.count(), Partner.objects.count(), Account.objects.count())
    seed_demo_network(users_per_group=1)
    assert (Fund.objects.count(), Partner.objects.count(), Account.objects.count()) == counts
    assert counts[0] == 3
    # A partner of every type in every fund (the Cnav plays a Carsat only in Île-de-France).
    assert counts[1] == 3 * PartnerType.objects.count() - 2
    roles = [login.role for login in demo_logins()]
    assert roles[:5] == [
        "Administrateur national",
        "Administrateur Caf",
        "Vérificateur",
        "Administrateur partenaire",
        "Responsable habilitations partenaire",
    ]
    # One user per CDAP profile held in the demo, so that each differentiated access can be tried (CDP-3).
    cdap_users = [role for role in roles[5:] if role.startswith("Utilisateur CDAP — ")]
    assert len(cdap_users) == len(roles) - 6 >= 3
    # The fund administrator who is also its verifier: one role active at a time, chosen in the header (DSD).
    assert roles[-1] == DSD_LOGIN_ROLE
    assert "Utilisateur CDAP — Assistant de service social – CESF" in cdap_users
    assert GroupRoleAssignment.objects.filter(role__code="cdap-ass-cesf").exists()
    assert JournalEntry.objects.filter(kind="admin.partner.create").count() == counts[1]
    assert verify_journal().intact
