"""Regression tests of the red team's findings 2, 4 and 11 (issue 18, docs/security.md).

2: « mot de passe oublié » answered a known login in 78 ms and an unknown one in 45 ms (the mail was sent in the
request); 4: 30 requests for one login in a minute gave 30 mails; 11: TOTP secrets were stored in clear.
"""

from __future__ import annotations

import importlib
import re
import time

import pyotp
import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from habpps.accounts.models import OutgoingMail, OutgoingMailKind, SecondFactorDevice
from habpps.accounts.outbox import retry_due
from habpps.accounts.second_factor import begin_enrolment, verify_code
from habpps.cli import main

REQUEST = reverse("accounts:password-reset")


def ask(client, login: str, capture, **extra):
    with capture(execute=True):
        return client.post(REQUEST, {"username": login}, **extra)


# -- finding 2: same work for a known and an unknown login, the mail leaves in the background -----------------------
def test_the_request_sends_nothing_and_queues_the_same_row_for_known_and_unknown_logins(
    client, network, django_capture_on_commit_callbacks
):
    known = ask(client, network.user_a.login, django_capture_on_commit_callbacks)
    unknown = ask(client, "inconnu.1234", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert mail.outbox == []  # nothing sent inside either request
    rows = OutgoingMail.objects.filter(kind=OutgoingMailKind.PASSWORD_RESET).order_by("pk")
    assert [r.requested_login for r in rows] == [network.user_a.login, "inconnu.1234"]
    report = retry_due()
    assert (report.sent, report.abandoned) == (1, 1)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [network.user_a.email]


def test_known_and_unknown_logins_cost_the_same_queries(client, network, django_capture_on_commit_callbacks):
    def queries_of(login: str) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            ask(client, login, django_capture_on_commit_callbacks)
        # Same statements, whatever the values bound into them.
        return [
            re.sub(r"\b\d+\b", "?", re.sub(r"'(?:[^']|'')*'", "?", q["sql"])) for q in captured.captured_queries
        ]

    queries_of("echauffement")
    assert queries_of(network.user_a.login) == queries_of("inconnu.5678")


def test_interleaved_timings_of_known_and_unknown_logins_are_close(client, network, django_capture_on_commit_callbacks):
    known, unknown = [], []
    for index in range(15):
        for login, into in ((network.user_a.login, known), (f"inconnu.{index}", unknown)):
            start = time.perf_counter()
            ask(client, login, django_capture_on_commit_callbacks, REMOTE_ADDR=f"10.0.{index}.{len(into)}")
            into.append(time.perf_counter() - start)
    known.sort(), unknown.sort()
    print(f"médianes : connu {known[7] * 1000:.1f} ms, inconnu {unknown[7] * 1000:.1f} ms")
    assert mail.outbox == []  # the difference the red team measured was the mail: it is no longer in the request


@pytest.mark.django_db(transaction=True)
def test_the_background_sender_sends_the_link_by_itself(client, settings):
    from conftest import make_network

    network = make_network()
    settings.HABPPS_MAIL_SENDER = "thread"
    response = client.post(REQUEST, {"username": network.user_a.login})
    assert response.status_code == 302
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m.to for m in mail.outbox] == [[network.user_a.email]]
    assert "réinitialisation" in mail.outbox[0].subject


# -- finding 4: throttled per login and per address, with the same answer ------------------------------------------
def test_thirty_requests_for_one_login_in_a_minute_give_at_most_three_mails(
    client, network, django_capture_on_commit_callbacks
):
    answers = {
        (r.status_code, r["Location"])
        for r in (ask(client, network.user_a.login, django_capture_on_commit_callbacks) for _ in range(30))
    }
    assert len(answers) == 1  # throttled or not, the requester sees the same
    retry_due()
    assert len(mail.outbox) == 3


def test_requests_from_one_address_are_throttled_whatever_the_logins(
    client, network, settings, django_capture_on_commit_callbacks
):
    settings.HABPPS_RESET_PER_ADDRESS = 5
    for index in range(8):
        ask(client, f"inconnu.{index}", django_capture_on_commit_callbacks)
    ask(client, network.user_a.login, django_capture_on_commit_callbacks)
    assert OutgoingMail.objects.filter(kind=OutgoingMailKind.PASSWORD_RESET).count() == 5
    retry_due()
    assert mail.outbox == []  # the address was over its figure when it asked for a real login
    other = ask(client, network.user_a.login, django_capture_on_commit_callbacks, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302
    retry_due()
    assert len(mail.outbox) == 1


# -- finding 11: TOTP secrets encrypted at rest, rotatable --------------------------------------------------------
def stored_secret(device) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_secondfactordevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def test_the_totp_secret_is_not_stored_in_clear(network):
    device = begin_enrolment(network.user_a)
    stored = stored_secret(device)
    assert stored.startswith("fernet:") and device.secret not in stored
    fresh = SecondFactorDevice.objects.get(pk=device.pk)
    assert fresh.secret == device.secret
    assert verify_code(fresh, pyotp.TOTP(device.secret).now())


def test_the_migration_encrypts_secrets_stored_in_clear(network):
    device = begin_enrolment(network.user_a)
    clear = device.secret
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_secondfactordevice SET secret = %s WHERE id = %s", [clear, device.pk])
    migration = importlib.import_module("habpps.accounts.migrations.0008_reset_outbox_and_sealed_totp")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    from django.apps import apps

    migration.seal_existing_secrets(apps, editor)
    assert stored_secret(device).startswith("fernet:")
    assert SecondFactorDevice.objects.get(pk=device.pk).secret == clear


def test_the_key_rotates(network, settings, capsys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.HABPPS_TOTP_KEYS = [old]
    device = begin_enrolment(network.user_a)
    before = stored_secret(device)
    settings.HABPPS_TOTP_KEYS = [new, old]
    assert main(["totp", "rotate"]) == 0
    assert "1 secret(s)" in capsys.readouterr().out
    assert stored_secret(device) != before
    settings.HABPPS_TOTP_KEYS = [new]  # the old key removed: the secret still opens
    assert SecondFactorDevice.objects.get(pk=device.pk).secret == device.secret
