"""Pages of contextual constraints (ENG-5) and of each profile's data scoping and action limits (ENG-8).

Reached by whoever the engine allows (``gerer contraintes-contextuelles`` / ``gerer portee-des-profils`` in the
national unit — the national administrator by default); every change goes through the services, which check it
with the engine's rules, journal it and replay it into the engine.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from habpps.authorization import permissions as perms
from habpps.authorization import scope_services
from habpps.authorization.mixins import run_action
from habpps.authorization.models import (
    ActionLimit,
    ContextAttribute,
    ContextConstraint,
    FieldRule,
    PermissionConstraint,
    PopulationRule,
)
from habpps.directory.models import ServiceRole
from habpps.directory.scope_forms import (
    AttributeForm,
    ConstraintForm,
    FieldRuleForm,
    LimitsForm,
    LinkForm,
    PopulationForm,
    permission_label,
)
from habpps.directory.views.catalogue import NationalMixin
from habpps.engine import RBAC


def describe_conditions(constraint: ContextConstraint) -> str:
    """The constraint's conditions as the engine says them (« « heure » entre 07:00 et 20:00 ; … »)."""
    rbac = RBAC()
    for attribute in ContextAttribute.objects.all():
        rbac.add_context_attribute(attribute.name, function=attribute.function, domain=attribute.domain or None,
                                   parameter=attribute.parameter or None)
    try:
        rbac.add_context_constraint(constraint.name, constraint.conditions)
    except Exception:  # noqa: BLE001 — a stale row is shown as stored rather than breaking the page
        return str(constraint.conditions)
    return " ; ".join(c.describe() for c in rbac.context_constraints()[constraint.name].conditions)


class ContextConstraintsView(NationalMixin, TemplateView):
    permission = perms.MANAGE_CONTEXT
    template_name = "directory/context_constraints.html"
    extra_context = {"title": gettext_lazy("Contraintes contextuelles")}

    def forms(self, data=None, which=None) -> dict:
        attributes = ContextAttribute.objects.all()
        return {
            "attribute_form": AttributeForm(data if which == "attribut" else None, prefix="attribut"),
            "constraint_form": ConstraintForm(data if which == "contrainte" else None, attributes=attributes,
                                              prefix="contrainte"),
            "link_form": LinkForm(data if which == "lien" else None, prefix="lien"),
        }

    def get_context_data(self, **kwargs) -> dict:
        forms = kwargs.pop("forms", None) or self.forms()
        constraints = [
            {"constraint": c, "conditions": describe_conditions(c),
             "links": [{"link": link, "label": permission_label(link.operation, link.obj)}
                       for link in c.permissions.all()]}
            for c in ContextConstraint.objects.prefetch_related("permissions")
        ]
        return super().get_context_data(attributes=ContextAttribute.objects.all(), constraints=constraints,
                                        **forms, **kwargs)

    def post(self, request, *args, **kwargs):
        which = request.POST.get("action", "")
        user = request.user
        if which.startswith("supprimer-attribut-"):
            attribute = get_object_or_404(ContextAttribute, pk=which.rsplit("-", 1)[1])
            return self._button(lambda: scope_services.delete_attribute(user, attribute), _("Attribut supprimé."))
        if which.startswith("supprimer-contrainte-"):
            constraint = get_object_or_404(ContextConstraint, pk=which.rsplit("-", 1)[1])
            return self._button(lambda: scope_services.delete_constraint(user, constraint), _("Contrainte supprimée."))
        if which.startswith("retirer-lien-"):
            link = get_object_or_404(PermissionConstraint, pk=which.rsplit("-", 1)[1])
            return self._button(lambda: scope_services.unlink_permission(user, link), _("Condition retirée."))
        forms = self.forms(request.POST, which)
        form = forms.get({"attribut": "attribute_form", "contrainte": "constraint_form", "lien": "link_form"}.get(
            which, ""))
        if form is None:
            return redirect("directory:context-constraints")
        actions = {
            "attribut": lambda: scope_services.save_attribute(
                user, None, name=form.cleaned_data["name"], function=form.cleaned_data["function"],
                parameter=form.cleaned_data["parameter"],
                domain="string" if form.cleaned_data["parameter"] else ""),
            "contrainte": lambda: scope_services.save_constraint(
                user, None, name=form.cleaned_data["name"], conditions=form.conditions()),
            "lien": lambda: scope_services.link_permission(
                user, *form.pair(), form.cleaned_data["constraint"]),
        }
        if form.is_valid() and run_action(request, form, actions[which]):
            messages.success(request, _("Enregistré."))
            return redirect("directory:context-constraints")
        return self.render_to_response(self.get_context_data(forms=forms))

    def _button(self, action, success: str):
        try:
            action()
        except Exception as error:  # ValidationError: shown as it is
            messages.error(self.request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(self.request, success)
        return redirect("directory:context-constraints")


class RoleScopeView(NationalMixin, TemplateView):
    """One profile's populations, field rules and action limits."""

    permission = perms.MANAGE_SCOPING
    template_name = "directory/role_scope.html"

    def dispatch(self, request, *args, **kwargs):
        self.role = get_object_or_404(ServiceRole.objects.select_related("service"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def forms(self, data=None, which=None) -> dict:
        return {
            "population_form": PopulationForm(data if which == "population" else None, prefix="population"),
            "field_form": FieldRuleForm(data if which == "champ" else None, prefix="champ"),
            "limits_form": LimitsForm(data if which == "limites" else None, prefix="limites"),
        }

    def get_context_data(self, **kwargs) -> dict:
        role = self.role
        return super().get_context_data(
            role=role,
            title=_("Portée des données du profil « %(role)s »") % {"role": role.name},
            breadcrumb=[{"url": reverse("directory:service-list"), "title": _("Catalogue des services")}],
            populations=PopulationRule.objects.filter(role=role),
            field_rules=FieldRule.objects.filter(role=role).select_related("when"),
            limits=ActionLimit.objects.filter(role=role),
            resources=scope_services.RESOURCES,
            **(kwargs.pop("forms", None) or self.forms()),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        which, user, role = request.POST.get("action", ""), request.user, self.role
        back = reverse("directory:role-scope", args=[role.pk])
        if which.startswith("supprimer-population-"):
            rule = get_object_or_404(PopulationRule, pk=which.rsplit("-", 1)[1], role=role)
            scope_services.delete_population(user, rule)
            messages.success(request, _("Population supprimée."))
            return redirect(back)
        if which.startswith("supprimer-champ-"):
            rule = get_object_or_404(FieldRule, pk=which.rsplit("-", 1)[1], role=role)
            scope_services.delete_field_rule(user, rule)
            messages.success(request, _("Droit supprimé."))
            return redirect(back)
        forms = self.forms(request.POST, which)
        form = forms.get({"population": "population_form", "champ": "field_form", "limites": "limits_form"}.get(
            which, ""))
        if form is None:
            return redirect(back)
        actions = {
            "population": lambda: scope_services.add_population(user, role, **form.service_arguments()),
            "champ": lambda: scope_services.set_field_rule(
                user, role, resource=form.cleaned_data["resource"], field=form.cleaned_data["field"],
                access=form.cleaned_data["access"], when=form.cleaned_data["when"]),
            "limites": lambda: scope_services.set_action_limits(
                user, role, form.cleaned_data["action"], max_per_day=form.cleaned_data["max_per_day"],
                max_records=form.cleaned_data["max_records"], confirm_above=form.cleaned_data["confirm_above"]),
        }
        if form.is_valid() and run_action(request, form, actions[which]):
            messages.success(request, _("Enregistré."))
            return redirect(back)
        return self.render_to_response(self.get_context_data(forms=forms))
