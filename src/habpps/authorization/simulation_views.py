"""The page « Simuler » (issue 16 §3): the national administrator uploads or pastes a policy document, or
describes one change, and sees before applying who gains and loses what, which exclusions would fire and which
pending approvals it would create; the engine computes everything (`habpps.authorization.simulation`). Nothing
is applied unless he asks for a document to be applied: then it is imported as `habpps policy import` does
(ENG-10), only when the simulation shows no refusal. « Exporter la politique » downloads the current document
(`habpps policy export`)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView
from dsfr.forms import DsfrBaseForm

from habpps.authorization import permissions as perms
from habpps.authorization.menus import MenuEntry, register, url_to
from habpps.authorization.mixins import EngineAccessMixin
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.authorization.policy_sections import PolicyImportError, export_document, import_document
from habpps.authorization.simulation import ACTIONS, simulate_change, simulate_document
from habpps.authorization.stored import ServiceRole, Status
from habpps.engine import PolicyDocumentError, RBACError, dumps, parse_text

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class SimulationForm(DsfrBaseForm):
    """A document (file or pasted text) or one change: exactly one of the three."""

    document_file = forms.FileField(
        label=_("Déposer le fichier"), required=False,
        help_text=_("Fichier YAML ou JSON d'une politique exportée de la plateforme. Taille maximale : 20 Mo."),
    )
    document_text = forms.CharField(
        label=_("Ou coller son texte"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
    )
    action = forms.ChoiceField(
        label=_("Changement"), required=False,
        choices=[("", _("Aucun changement décrit")), *ACTIONS.items()],
    )
    account = forms.CharField(
        label=_("Identifiant du compte"), required=False, help_text=_("Par exemple : jdupont.1234"),
    )
    profile = forms.ModelChoiceField(
        label=_("Profil d'accès"), required=False, to_field_name="code",
        queryset=ServiceRole.objects.exclude(status=Status.REMOVED).order_by("name"),
        empty_label=_("Choisir un profil"),
    )
    apply = forms.BooleanField(
        label=_("Appliquer ce document à la plate-forme si la simulation ne montre aucun refus"), required=False,
        help_text=_("Sans cette case, rien n'est appliqué. Chaque changement est journalisé à votre nom."),
    )

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("document_file")
        text = (data.get("document_text") or "").strip()
        change = data.get("action")
        given = [bool(upload), bool(text), bool(change)]
        if sum(given) != 1:
            raise forms.ValidationError(
                _("Déposez un document, collez-en un, ou décrivez un changement : un seul des trois."))
        if change:
            if data.get("apply"):
                self.add_error("apply", _("Seul un document de politique s'applique ici : décochez la case."))
            if not data.get("account"):
                self.add_error("account", _("Indiquez le compte concerné."))
            if not data.get("profile"):
                self.add_error("profile", _("Choisissez le profil concerné."))
            return data
        if upload:
            if upload.size > MAX_DOCUMENT_BYTES:
                self.add_error("document_file", _("Le fichier dépasse 20 Mo."))
                return data
            raw = upload.read()
            field = "document_file"
        else:
            raw = text.encode("utf-8")
            field = "document_text"
        try:
            data["document"] = parse_text(raw)
        except PolicyDocumentError as error:
            self.add_error(field, error.errors[0]["message"])
        return data


class SimulationView(EngineAccessMixin, FormView):
    """Reserved to who administers the national catalogue (the engine decides, in the national unit)."""

    permission = perms.MANAGE_CATALOGUE
    template_name = "authorization/simulation.html"
    form_class = SimulationForm
    extra_context = {"title": _("Simuler un changement de politique")}

    def get_permission_org(self) -> str:
        return NATIONAL_UNIT

    def form_valid(self, form: SimulationForm):
        data = form.cleaned_data
        if data.get("action"):
            simulation = simulate_change(data["action"], data["account"].strip(), data["profile"].code,
                                         actor=self.request.user.login)
        else:
            simulation = simulate_document(data["document"])
        applied = None
        if data.get("apply") and not data.get("action") and simulation.applicable:
            try:
                applied = import_document(data["document"], actor=self.request.user)
            except PolicyImportError as error:
                simulation.refusals += list(error.errors)
            except (RBACError, ValidationError) as refusal:
                simulation.refusals.append(" ".join(getattr(refusal, "messages", None) or [str(refusal)]))
        if applied is not None:  # shown again unticked: sending the page again only simulates
            form.data = form.data.copy()
            form.data.pop("apply", None)
        changed = None if applied is None else sorted(
            (what, applied.added.get(what, 0), applied.removed.get(what, 0))
            for what in set(applied.added) | set(applied.removed)
            if applied.added.get(what) or applied.removed.get(what))
        return self.render_to_response(self.get_context_data(form=form, simulation=simulation,
                                                             applied=applied is not None, changed=changed))


class PolicyExportView(EngineAccessMixin, View):
    """« Exporter la politique »: the document `habpps policy export` writes, as a YAML download."""

    permission = perms.MANAGE_CATALOGUE

    def get_permission_org(self) -> str:
        return NATIONAL_UNIT

    def get(self, request):
        response = HttpResponse(dumps(export_document(), "yaml"), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="politique-habpps.yaml"'
        return response


def register_menu() -> None:
    """The entry « Simuler » of the main menu, for who administers the national catalogue."""
    register(MenuEntry("simulate", _("Simuler"), perms.MANAGE_CATALOGUE, url_to("simulation:simulate"),
                       org=lambda account: NATIONAL_UNIT, order=37))
