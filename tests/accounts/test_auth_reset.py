"""« Mot de passe oublié »: same answer for any login, single-use short-lived link, then a new password (AUT-5)."""

import hashlib
import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from habpps.accounts.models import Account, AccountSession, PasswordResetRequest, SessionEndReason
from habpps.accounts.outbox import retry_due
from habpps.journal.models import JournalEntry

from .conftest import PASSWORD, log_in

REQUEST = reverse("accounts:password-reset")
SET = reverse("accounts:password-reset-set")
NEW = "Retrouve#Secret7"


def ask(client, login: str, capture):
    """Ask for a link, then let the outbox's sender run (it sends in the background, never in the request)."""
    with capture(execute=True):
        response = client.post(REQUEST, {"username": login}, follow=True)
    retry_due()
    return response


def link_of(message) -> str:
    return re.search(r"http://testserver(/compte/mot-de-passe-oublie/[\w-]+/)", message.body).group(1)


def choose(client, link: str, password: str = NEW, capture=None):
    assert client.get(link).status_code == 302
    if capture is None:
        return client.post(SET, {"new_password1": password, "new_password2": password})
    with capture(execute=True):
        return client.post(SET, {"new_password1": password, "new_password2": password})


def test_the_answer_is_the_same_whether_the_account_exists_or_not(
    client, network, django_capture_on_commit_callbacks
):
    known = ask(client, network.user_a.login, django_capture_on_commit_callbacks)
    unknown = ask(client, "inconnu.1234", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert [str(m) for m in known.context["messages"]] == [str(m) for m in unknown.context["messages"]]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [network.user_a.email]
    assert JournalEntry.objects.filter(kind="auth.password.reset.request").count() == 2


def test_the_link_sets_a_new_password_once(client, network, django_capture_on_commit_callbacks):
    ask(client, network.user_a.login, django_capture_on_commit_callbacks)
    link = link_of(mail.outbox[0])
    response = choose(client, link, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert Account.objects.get(pk=network.user_a.pk).check_password(NEW)
    assert JournalEntry.objects.filter(kind="auth.password.reset.use", target=network.user_a.login).exists()
    assert "mot de passe modifié" in mail.outbox[-1].subject
    # The same link again: refused.
    other = Client()
    page = other.get(link)
    assert "n'est pas valable" in page.content.decode()
    assert (
        other.post(SET, {"new_password1": "Autre#Secret8", "new_password2": "Autre#Secret8"}).status_code
        == 200
    )
    assert Account.objects.get(pk=network.user_a.pk).check_password(NEW)


def test_the_link_expires_after_the_policys_lifetime(
    client, network, clock, django_capture_on_commit_callbacks
):
    ask(client, network.user_a.login, django_capture_on_commit_callbacks)
    link = link_of(mail.outbox[0])
    clock.advance(minutes=30, seconds=1)
    assert client.get(link).status_code == 200  # the « invalid link » page, no redirect to the form
    assert client.get(SET).status_code == 200 and "n'est pas valable" in client.get(SET).content.decode()


def test_the_new_password_follows_the_policy(client, network, django_capture_on_commit_callbacks):
    ask(client, network.user_a.login, django_capture_on_commit_callbacks)
    response = choose(client, link_of(mail.outbox[0]), PASSWORD)  # the current one: history
    assert response.status_code == 200
    assert "différent des 3 précédents" in response.context["form"].errors["new_password1"][0]
    assert PasswordResetRequest.objects.get().used_at is None  # still usable after a refused password


def test_only_a_digest_of_the_token_is_stored(client, network, django_capture_on_commit_callbacks):
    ask(client, network.user_a.login, django_capture_on_commit_callbacks)
    token = link_of(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    stored = PasswordResetRequest.objects.get()
    assert token not in stored.token_digest
    assert stored.token_digest == hashlib.sha256(token.encode()).hexdigest()


def test_a_reset_unfreezes_the_account_and_ends_its_sessions(
    client, network, django_capture_on_commit_callbacks
):
    holder = Client()
    log_in(holder, network.user_a.login)
    for _ in range(5):
        log_in(client, network.user_a.login, "Mauvais#Mot2passe")
    ask(client, network.user_a.login, django_capture_on_commit_callbacks)
    choose(client, link_of(mail.outbox[-1]))
    assert holder.get(reverse("home")).status_code == 302
    assert AccountSession.objects.get(account=network.user_a).end_reason == SessionEndReason.PASSWORD_RESET
    assert log_in(client, network.user_a.login, NEW).status_code == 302


def test_a_suspended_account_gets_no_link(client, network, django_capture_on_commit_callbacks):
    from habpps.directory import services

    services.set_account_status(network.partner_admin_a, network.user_a, "suspended")
    ask(client, network.user_a.login, django_capture_on_commit_callbacks)
    assert mail.outbox == []
