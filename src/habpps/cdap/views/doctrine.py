"""The national administrator's pages: the section doctrine table, new sections, the abuse limits."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from habpps.authorization.mixins import EngineAccessMixin, run_action
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.cdap import doctrine
from habpps.cdap.forms import LimitsForm, SectionForm
from habpps.cdap.models import AbuseLimits, Section
from habpps.cdap.permissions import EDIT_SECTION_DOCTRINE


class NationalDoctrineMixin(EngineAccessMixin):
    permission = EDIT_SECTION_DOCTRINE

    def get_permission_org(self) -> str:
        return NATIONAL_UNIT


class SectionDoctrineView(NationalDoctrineMixin, TemplateView):
    """Sections in rows, CDAP profiles in columns, a checkbox in each cell (the CDP-3 table as data)."""

    template_name = "cdap/doctrine.html"
    extra_context = {"title": gettext_lazy("Rubriques CDAP par profil d'accès")}

    def get_context_data(self, **kwargs) -> dict:
        profiles = list(doctrine.cdap_profiles())
        grants = doctrine.section_grants()
        rows = [
            (section, [(profile, section.code in grants.get(profile.pk, set())) for profile in profiles])
            for section in Section.objects.order_by("position", "code")
        ]
        return super().get_context_data(profiles=profiles, rows=rows, limits=AbuseLimits.current(), **kwargs)

    def post(self, request, *args, **kwargs):
        profiles = list(doctrine.cdap_profiles())
        wanted = {profile: request.POST.getlist(f"profil-{profile.pk}") for profile in profiles}
        changed = doctrine.set_section_grants(request.user, wanted)
        if changed:
            messages.success(
                request, _("Doctrine enregistrée : %(count)s profil(s) modifié(s).") % {"count": len(changed)}
            )
        else:
            messages.info(request, _("Aucune modification."))
        return redirect("cdap:doctrine")


class SectionCreateView(NationalDoctrineMixin, FormView):
    form_class = SectionForm
    template_name = "directory/form_page.html"
    extra_context = {"title": gettext_lazy("Nouvelle rubrique")}

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(cancel_url=reverse("cdap:doctrine"), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        if not run_action(self.request, form, lambda: doctrine.create_section(self.request.user, **data)):
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Rubrique « %(name)s » créée ; cochez les profils qui la voient.") % {"name": data["name"]},
        )
        return redirect("cdap:doctrine")


class LimitsView(NationalDoctrineMixin, FormView):
    form_class = LimitsForm
    template_name = "directory/form_page.html"
    extra_context = {"title": gettext_lazy("Limites de consultation")}

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "instance": AbuseLimits.current()}

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(cancel_url=reverse("cdap:doctrine"), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        if not run_action(self.request, form, lambda: doctrine.update_limits(self.request.user, **data)):
            return self.form_invalid(form)
        messages.success(self.request, _("Limites de consultation enregistrées."))
        return redirect("cdap:doctrine")
