"""Fixtures of the authentication tests: a controllable clock, a real SMTP server, logging in through the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from habpps.accounts import clock as clock_module
from habpps.accounts.policy import current_policy

from .smtp import smtp_server

PASSWORD = "Motdepasse#2025"


class ControllableClock:
    """The time of the authentication policy, moved forward by the test instead of waited for."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self):
        return timezone.now() + self.offset

    def advance(self, **delta) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> ControllableClock:
    fake = ControllableClock()
    monkeypatch.setattr(clock_module, "now", fake.now)
    return fake


@pytest.fixture
def policy(db):
    return current_policy()


def log_in(client, login: str, password: str = PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": login, "password": password}, **extra)


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server (aiosmtpd) on a free local port, with Django's SMTP backend pointed at it."""
    with smtp_server(settings) as inbox:
        yield inbox
