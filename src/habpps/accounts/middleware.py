"""The session policy on every request (AUT-4, AUT-6, AUT-8).

``SessionPolicyMiddleware`` ends a session that is idle for longer than the policy allows, that another login
replaced, or whose account was suspended, and records activity on the others. ``AuthenticationDutiesMiddleware``
then keeps a signed-in person on the one page they must visit first — choose a personal password (temporary or
expired one), or enrol the second factor the policy requires — until it is done: nothing else is reachable.
Both come after Django's ``AuthenticationMiddleware``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from habpps.accounts import clock
from habpps.accounts.duties import pending_duty
from habpps.accounts.models import AccountSession, SessionEndReason
from habpps.accounts.policy import policy_in_force
from habpps.accounts.sessions import end_session, is_idle, record_activity


class SessionPolicyMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if SESSION_KEY in request.session:
            self._enforce(request)
        return self.get_response(request)

    def _enforce(self, request) -> None:
        policy, now = policy_in_force(), clock.now()
        request.authentication_policy = policy
        # The account is the request's own (``request.user``); the record's is loaded only to end it.
        record = AccountSession.objects.filter(
            session_key=request.session.session_key, ended_at__isnull=True
        ).first()
        if not request.user.is_authenticated:
            # The account was suspended or removed (the backend no longer returns it): its session dies now.
            if record is not None:
                end_session(record, SessionEndReason.REVOKED, delete_stored=False)
            self._close(request)
        elif record is None:
            # Ended elsewhere: replaced by a newer login, or by a password reset.
            self._close(request)
        elif is_idle(record, policy, now):
            end_session(record, SessionEndReason.IDLE, delete_stored=False)
            self._close(request)
            messages.info(
                request,
                _("Votre session a été fermée après %(minutes)d minutes d'inactivité. Reconnectez-vous.")
                % {"minutes": policy.idle_timeout_minutes},
            )
        else:
            if record_activity(record, now):
                # Saved with the recorded activity (every 30 s), not on every request: the stored session's
                # and the cookie's idle expiry move with it (SESSION_SAVE_EVERY_REQUEST is off).
                request.session.modified = True
            expiry = policy.idle_timeout_minutes * 60
            if request.session.get_expiry_age() != expiry:
                request.session.set_expiry(expiry)

    @staticmethod
    def _close(request) -> None:
        request.session.flush()
        request.user = AnonymousUser()


class AuthenticationDutiesMiddleware:
    """Redirect every request of a signed-in person with a pending duty to the page that fulfils it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            policy = getattr(request, "authentication_policy", None) or policy_in_force()
            duty = pending_duty(user, policy, clock.now())
            if duty is not None and not self._allowed_during(request.path, duty.url_name):
                if request.method == "GET":
                    messages.warning(request, duty.message)
                return redirect(duty.url_name)
        return self.get_response(request)

    @staticmethod
    def _allowed_during(path: str, url_name: str) -> bool:
        allowed = {reverse(url_name), reverse("accounts:logout")}
        return path in allowed or path.startswith(settings.STATIC_URL)
