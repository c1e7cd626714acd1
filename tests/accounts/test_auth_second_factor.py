"""Optional TOTP second factor with recovery codes, required by policy per fund, partner or role (AUT-8)."""

import re

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from habpps.accounts.models import Account, SecondFactorDevice
from habpps.journal.models import JournalEntry

from .conftest import log_in

ENROL = reverse("accounts:second-factor-enrol")
VERIFY = reverse("accounts:second-factor-verify")
RECOVERY = reverse("accounts:recovery-code")
HOME = reverse("home")


def enrol(client, account, clock) -> tuple[pyotp.TOTP, list[str]]:
    """Enrol through the page: read the key it shows, confirm with the current code, keep the recovery codes."""
    client.force_login(account)
    page = client.get(ENROL).content.decode()
    assert "<svg" in page
    secret = re.search(r"<code data-secret>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    totp = pyotp.TOTP(secret)
    response = client.post(ENROL, {"code": totp.at(clock.now())})
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", response.content.decode())
    client.post(reverse("accounts:logout"))
    return totp, codes


def test_enrolment_then_every_login_asks_for_the_code(client, network, clock):
    totp, codes = enrol(client, network.user_a, clock)
    assert len(codes) == 10
    assert JournalEntry.objects.filter(kind="auth.second_factor.enrol", target=network.user_a.login).exists()
    response = log_in(client, network.user_a.login)
    assert response["Location"] == VERIFY
    assert client.get(HOME).status_code == 302  # not signed in before the code
    clock.advance(seconds=30)
    response = client.post(VERIFY, {"code": totp.at(clock.now())})
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_a_code_is_accepted_only_once(client, network, clock):
    totp, _ = enrol(client, network.user_a, clock)
    clock.advance(seconds=30)
    code = totp.at(clock.now())
    log_in(client, network.user_a.login)
    client.post(VERIFY, {"code": code})
    client.post(reverse("accounts:logout"))
    log_in(client, network.user_a.login)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200 and "Code incorrect." in response.content.decode()


def test_wrong_codes_count_towards_the_freeze(client, network, clock):
    enrol(client, network.user_a, clock)
    log_in(client, network.user_a.login)
    for _ in range(4):
        assert client.post(VERIFY, {"code": "000000"}).status_code == 200
    response = client.post(VERIFY, {"code": "000000"})
    assert response["Location"] == reverse("accounts:login")
    assert Account.objects.get(pk=network.user_a.pk).frozen_until is not None
    assert JournalEntry.objects.filter(kind="auth.second_factor.failure").count() == 5
    assert JournalEntry.objects.filter(kind="auth.account.freeze").count() == 1


def test_a_recovery_code_replaces_the_lost_authenticator_once(client, network, clock):
    _, codes = enrol(client, network.user_a, clock)
    log_in(client, network.user_a.login)
    assert client.post(RECOVERY, {"recovery_code": codes[0].upper()}).status_code == 302
    assert client.get(HOME).status_code == 200
    client.post(reverse("accounts:logout"))
    log_in(client, network.user_a.login)
    assert client.post(RECOVERY, {"recovery_code": codes[0]}).status_code == 200
    assert JournalEntry.objects.filter(kind="auth.second_factor.recovery_code").count() == 1


def test_the_pending_step_expires(client, network, clock):
    enrol(client, network.user_a, clock)
    log_in(client, network.user_a.login)
    clock.advance(minutes=31)
    assert client.get(VERIFY)["Location"] == reverse("accounts:login")


@pytest.mark.parametrize("rule", ["fund", "partner", "role", "group_role", "everyone"])
def test_the_policy_requires_enrolment_by_fund_partner_or_role(client, network, policy, clock, rule):
    account = network.user_a  # a partner user of fund A holding the CDAP profile through its group
    if rule == "fund":
        policy.second_factor_funds.add(network.fund_a)
    elif rule == "partner":
        policy.second_factor_partners.add(network.partner_a)
    elif rule == "role":
        policy.second_factor_roles.add(network.roles["PartnerAdmin"])
        account = network.partner_admin_a
    elif rule == "group_role":
        policy.second_factor_roles.add(network.roles["cdap-ass-cesf"])
    else:
        policy.second_factor_for_everyone = True
        policy.save()
    client.force_login(account)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == ENROL
    untouched = Client()
    untouched.force_login(network.verifier_b)
    expected = 302 if rule == "everyone" else 200
    assert untouched.get(HOME).status_code == expected


def test_enrolment_lifts_the_requirement_duty(client, network, policy, clock):
    policy.second_factor_funds.add(network.fund_a)
    enrol(client, network.user_a, clock)
    assert SecondFactorDevice.objects.get(account=network.user_a).confirmed_at is not None
    log_in(client, network.user_a.login)
    clock.advance(seconds=30)
    device = SecondFactorDevice.objects.get(account=network.user_a)
    client.post(VERIFY, {"code": pyotp.TOTP(device.secret).at(clock.now())})
    assert client.get(HOME).status_code == 200


def test_a_code_older_than_one_step_is_refused(client, network, clock):
    totp, _ = enrol(client, network.user_a, clock)
    clock.advance(seconds=30)
    stale = totp.at(clock.now())
    clock.advance(seconds=61)
    log_in(client, network.user_a.login)
    assert client.post(VERIFY, {"code": stale}).status_code == 200
    assert client.get(HOME).status_code == 302


def test_removing_the_second_factor_needs_the_password_and_is_notified(
    client, network, clock, django_capture_on_commit_callbacks
):
    from django.core import mail

    enrol(client, network.user_a, clock)
    client.force_login(network.user_a)
    remove = reverse("accounts:second-factor-remove")
    response = client.post(remove, {"old_password": "faux"})
    assert response.status_code == 200 and SecondFactorDevice.objects.filter(account=network.user_a).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(remove, {"old_password": "Motdepasse#2025"}).status_code == 302
    assert not SecondFactorDevice.objects.filter(account=network.user_a).exists()
    assert "double authentification retirée" in mail.outbox[-1].subject


def test_recovery_codes_are_stored_salted(client, network, clock):
    from habpps.accounts.models import RecoveryCode

    _, codes = enrol(client, network.user_a, clock)
    digests = list(RecoveryCode.objects.filter(account=network.user_a).values_list("code_digest", flat=True))
    assert len({digest.split("$")[0] for digest in digests}) == len(digests) == 10
    assert not any(code.replace("-", "") in digest for code in codes for digest in digests)


@pytest.mark.parametrize("rule", ["fund", "partner", "role", "group_role", "none"])
def test_the_shared_policys_scope_decides_like_the_query(network, policy, rule, django_assert_num_queries):
    """``policy_in_force`` carries whom the second factor covers (issue 19: no query per request for it); the
    answer is the one the full query gives, for the accounts named and for the others."""
    from habpps.accounts.policy import current_policy
    from habpps.accounts.second_factor import SecondFactorScope, second_factor_required

    if rule == "fund":
        policy.second_factor_funds.add(network.fund_a)
    elif rule == "partner":
        policy.second_factor_partners.add(network.partner_a)
    elif rule == "role":
        policy.second_factor_roles.add(network.roles["PartnerAdmin"])
    elif rule == "group_role":
        policy.second_factor_roles.add(network.roles["cdap-ass-cesf"])
    plain = current_policy()
    shared = current_policy()
    shared.second_factor_scope = SecondFactorScope.of(shared)
    accounts = [network.user_a, network.partner_admin_a, network.verifier_b]
    expected = {account.login: second_factor_required(account, plain) for account in accounts}
    assert {account.login: second_factor_required(account, shared) for account in accounts} == expected
    assert any(expected.values()) == (rule != "none")
    if rule in {"fund", "partner", "none"}:
        with django_assert_num_queries(0):
            for account in accounts:
                second_factor_required(account, shared)
