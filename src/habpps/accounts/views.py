"""Plain login and logout; the full authentication policy (AUT-1..8) extends these views."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.utils.translation import gettext_lazy as _

from habpps.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": _("Connexion")}


class LogoutView(auth_views.LogoutView):
    """Logout is a POST (a link could be triggered by a third-party page)."""
