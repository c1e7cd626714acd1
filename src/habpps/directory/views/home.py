"""The landing page: what the viewer may do, from the same engine decisions as the menu."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "directory/home.html"
    extra_context = {"title": _("Accueil")}
