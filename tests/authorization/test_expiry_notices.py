"""The warning before a time-bound access ends (ENG-5): once per grant, to the partner's administrators as the
engine names them, by the job (and `habpps access notify`); nothing for a grant far from its end."""

from __future__ import annotations

from datetime import date, timedelta

from django.core import mail

from habpps.authorization.access_windows import Window
from habpps.authorization.expiry_notices import notify_expiring
from habpps.authorization.models import AccountWindow, RoleWindow
from habpps.cli import main
from habpps.directory import services
from habpps.directory.models import GroupRoleAssignment
from habpps.journal.models import JournalEntry


def test_the_partner_administrator_is_told_once_some_days_before(network, settings):
    settings.HABPPS_ACCESS_EXPIRY_NOTICE_DAYS = 7
    today = date(2030, 1, 10)
    grant_a = GroupRoleAssignment.objects.current().get(group=network.group_a)
    grant_b = GroupRoleAssignment.objects.current().get(group=network.group_b)
    services.set_group_role_window(None, grant_a, Window(valid_until=today + timedelta(days=5)))
    services.set_group_role_window(None, grant_b, Window(valid_until=today + timedelta(days=30)))
    mail.outbox.clear()
    report = notify_expiring(today)
    assert report.grants == 1
    assert report.recipients == [network.partner_admin_a.login]
    assert mail.outbox[0].to == [network.partner_admin_a.email]
    assert "dernier jour le 15/01/2030" in mail.outbox[0].body
    assert "Travailleurs sociaux" in mail.outbox[0].body
    assert JournalEntry.objects.filter(kind="admin.access.expiry_notice").count() == 1
    assert notify_expiring(today).grants == 0  # announced once
    services.set_group_role_window(None, GroupRoleAssignment.objects.get(pk=grant_a.pk),
                                   Window(valid_until=today + timedelta(days=6)))
    assert notify_expiring(today).grants == 1  # a new end date is announced again


def test_the_command_sends_the_notices(network, capsys):
    grant = GroupRoleAssignment.objects.current().get(group=network.group_a)
    services.set_group_role_window(None, grant, Window(valid_until=date.today() + timedelta(days=1)))
    mail.outbox.clear()
    assert main(["access", "notify"]) == 0
    assert "1 accès" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_the_end_of_a_whole_account_window_is_announced_once(network, settings):
    """A partner account's own period (``AccountWindow``): its partner's administrators hear of its end once, by
    the same job and the same delay as a grant's; a new end date is announced again."""
    settings.HABPPS_ACCESS_EXPIRY_NOTICE_DAYS = 7
    today = date(2030, 1, 10)
    services.set_account_window(network.partner_admin_a, network.user_a, Window(valid_until=today + timedelta(days=3)))
    services.set_account_window(network.partner_admin_b, network.user_b, Window(valid_until=today + timedelta(days=8)))
    mail.outbox.clear()
    report = notify_expiring(today)
    assert report.grants == 1
    assert report.recipients == [network.partner_admin_a.login]
    assert mail.outbox[0].to == [network.partner_admin_a.email]
    body = mail.outbox[0].body
    assert f"tout accès du compte de {network.user_a.full_name}" in body
    assert "dernier jour le 13/01/2030" in body and "CCAS A" in body
    assert notify_expiring(today).grants == 0  # one mail per window end
    assert notify_expiring(today + timedelta(days=1)).grants == 1  # user B's end comes within the delay
    assert AccountWindow.objects.get(account=network.user_a).expiry_notice_sent_on == today
    services.set_account_window(network.partner_admin_a, network.user_a, Window(valid_until=today + timedelta(days=4)))
    assert AccountWindow.objects.get(account=network.user_a).expiry_notice_sent_on is None
    assert notify_expiring(today).grants == 1  # the new end is announced again


def test_the_end_of_a_profile_window_is_announced_to_the_model_administrators(network, settings):
    """A whole profile's period (``RoleWindow``) ends for every holder: the national administrators, who alone
    may extend it (the engine says who), are told once; a profile's window far from its end waits."""
    settings.HABPPS_ACCESS_EXPIRY_NOTICE_DAYS = 5
    today = date(2030, 3, 1)
    profile = network.roles["cdap-ass-cesf"]
    services.set_role_window(network.national_admin, profile, Window(valid_until=today + timedelta(days=6)))
    mail.outbox.clear()
    assert notify_expiring(today).grants == 0  # beyond the five days
    report = notify_expiring(today + timedelta(days=1))
    assert report.grants == 1
    assert report.recipients == [network.national_admin.login]
    assert f"l'usage du profil « {profile.name} »" in mail.outbox[0].body
    assert "dernier jour le 07/03/2030" in mail.outbox[0].body
    assert RoleWindow.objects.get(role=profile).expiry_notice_sent_on == today + timedelta(days=1)
    assert notify_expiring(today + timedelta(days=2)).grants == 0
    entry = JournalEntry.objects.filter(kind="admin.access.expiry_notice").latest("sequence")
    assert entry.data["recipients"] == [network.national_admin.login]
