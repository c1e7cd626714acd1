"""Fixtures of the authentication tests: a controllable clock, a real SMTP server, logging in through the page."""

from __future__ import annotations

import email
import socket
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from django.utils import timezone

from habpps.accounts import clock as clock_module
from habpps.accounts.policy import current_policy

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


@dataclass
class SmtpInbox:
    """Messages a real SMTP server received, as parsed e-mails."""

    messages: list[Message] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        with self.arrived:
            self.messages.append(email.message_from_bytes(envelope.content))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Message]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        assert len(self.messages) >= count, f"{len(self.messages)} message(s) reçu(s), {count} attendu(s)"
        return self.messages

    @staticmethod
    def body(message: Message) -> str:
        return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server (aiosmtpd) on a free local port, with Django's SMTP backend pointed at it."""
    inbox = SmtpInbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield inbox
    finally:
        controller.stop()
