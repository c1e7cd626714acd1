"""The warning before a time-bound access ends (ENG-5): once per grant, to the partner's administrators as the
engine names them, by the job (and `habpps access notify`); nothing for a grant far from its end."""

from __future__ import annotations

from datetime import date, timedelta

from django.core import mail

from habpps.authorization.access_windows import Window
from habpps.authorization.expiry_notices import notify_expiring
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
