"""Pages of what contextual constraints read about a person and of the conditions on a profile's permissions (ENG-5).

- « Attributs du compte » (``comptes/<id>/attributs/``): whoever administers the account — the engine decides, as
  for its period of access — gives it the values constraints compare (a declared network, a department…).
- « Conditions du profil » (``profils/<id>/conditions/``): whoever the engine lets manage contextual constraints
  nationally makes one of the profile's permissions hold only while constraints hold, and (« Conditions
  d'activation ») the profile itself activable in a session only while constraints hold at login or when the
  person switches roles.

The services (``directory.services.attributes``, ``authorization.scope_services``) check the input with the
engine's rules, journal the change before/after and replay it into the engine; the pages show their refusals in
French next to the fields.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from dsfr.forms import DsfrBaseForm

from habpps.accounts.models import Account
from habpps.authorization import permissions as perms
from habpps.authorization import scope_services
from habpps.authorization.decisions import require
from habpps.authorization.mixins import EngineAccessMixin, run_action
from habpps.authorization.models import ActivationConstraint, ContextConstraint, GrantConstraint
from habpps.authorization.permission_labels import PermissionLabels
from habpps.directory.models import ServiceRole, Status
from habpps.directory.services import attributes
from habpps.directory.services.accounts import account_management_permission
from habpps.directory.views.catalogue import NationalMixin
from habpps.directory.views.scope import describe_conditions


class AccountAttributeForm(DsfrBaseForm):
    name = forms.ChoiceField(label=gettext_lazy("Attribut"))
    value = forms.CharField(
        label=gettext_lazy("Valeur"), max_length=500,
        help_text=gettext_lazy("Du type indiqué à côté du nom de l'attribut ; pour une liste, séparez les valeurs par "
                               "des virgules."))

    def __init__(self, *args, declared: dict[str, attributes.SubjectAttribute], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.declared = declared
        self.fields["name"].choices = [(a.key, f"{a.label} ({a.hint})") for a in declared.values()]

    def typed_value(self):
        attribute = self.declared[self.cleaned_data["name"]]
        return attributes.parse_text(attribute.domain, self.cleaned_data["value"])


class AccountAttributesView(EngineAccessMixin, TemplateView):
    """An account's attributes, added, changed and removed one by one."""

    template_name = "directory/account_attributes.html"

    def dispatch(self, request, *args, **kwargs):
        self.account = get_object_or_404(Account.objects.select_related("fund", "partner__fund"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def check_access(self) -> None:
        account = self.account
        require(self.request.user, *account_management_permission(account.org_level, account.organisation))

    def get_context_data(self, **kwargs) -> dict:
        declared = attributes.subject_attributes()
        form = kwargs.pop("form", None) or AccountAttributeForm(declared=declared, prefix="attribut")
        return super().get_context_data(
            subject=self.account,
            title=_("Attributs du compte de %(name)s") % {"name": self.account.full_name},
            items=attributes.describe(self.account, declared),
            form=form,
            back_url=reverse("directory:account-detail", args=[self.account.pk]),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        back = reverse("directory:account-attributes", args=[self.account.pk])
        declared = attributes.subject_attributes()
        removed = request.POST.get("retirer")
        if removed is not None:
            form = AccountAttributeForm(declared=declared, prefix="attribut")
            if run_action(request, form,
                          lambda: attributes.remove_account_attribute(request.user, self.account, removed)):
                messages.success(request, _("Attribut retiré."))
                return redirect(back)
            return self.render_to_response(self.get_context_data(form=form))
        form = AccountAttributeForm(request.POST, declared=declared, prefix="attribut")
        if form.is_valid() and run_action(request, form, lambda: attributes.set_account_attribute(
                request.user, self.account, form.cleaned_data["name"], form.typed_value())):
            messages.success(request, _("Attribut enregistré."))
            return redirect(back)
        return self.render_to_response(self.get_context_data(form=form))


class GrantConditionForm(DsfrBaseForm):
    permission = forms.ChoiceField(label=gettext_lazy("Permission du profil"))
    constraint = forms.ModelChoiceField(label=gettext_lazy("Seulement si"), queryset=ContextConstraint.objects.none(),
                                        empty_label=gettext_lazy("Choisir une contrainte"),
                                        help_text=gettext_lazy("Une contrainte définie sur la page des contraintes "
                                                               "contextuelles."))

    def __init__(self, *args, role: ServiceRole, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = PermissionLabels()
        self.fields["permission"].choices = [
            (f"{p.operation} {p.obj}", labels(p.operation, p.obj)) for p in role.permissions.all()]
        self.fields["constraint"].queryset = ContextConstraint.objects.all()

    def pair(self) -> tuple[str, str]:
        operation, obj = self.cleaned_data["permission"].split(" ", 1)
        return operation, obj


class ActivationConditionForm(DsfrBaseForm):
    constraint = forms.ModelChoiceField(label=gettext_lazy("Activable seulement si"),
                                        queryset=ContextConstraint.objects.none(),
                                        empty_label=gettext_lazy("Choisir une contrainte"),
                                        help_text=gettext_lazy("Une contrainte définie sur la page des contraintes "
                                                               "contextuelles."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["constraint"].queryset = ContextConstraint.objects.all()


def activation_conditions(role: ServiceRole) -> list[dict]:
    """The constraints the profile's activation depends on, in words: [{name, conditions, link}]."""
    return [{"name": link.constraint.name, "conditions": describe_conditions(link.constraint), "link": link}
            for link in ActivationConstraint.objects.filter(role=role).select_related("constraint").order_by(
                "constraint__name")]


def grant_conditions(roles) -> dict[int, list[dict]]:
    """The conditions on the permissions of ``roles``, by role id, in words (for the account page and « Qui
    détient quoi »): [{permission, constraints: [{name, conditions}]}]."""
    labels = PermissionLabels()
    found: dict[int, dict[tuple[str, str], list]] = {}
    described: dict[int, str] = {}
    for link in GrantConstraint.objects.filter(role__in=roles).select_related("constraint").order_by(
            "obj", "operation", "constraint__name"):
        if link.constraint_id not in described:
            described[link.constraint_id] = describe_conditions(link.constraint)
        found.setdefault(link.role_id, {}).setdefault((link.operation, link.obj), []).append(
            {"name": link.constraint.name, "conditions": described[link.constraint_id], "link": link})
    return {role_id: [{"permission": labels(op, obj), "constraints": items} for (op, obj), items in by_perm.items()]
            for role_id, by_perm in found.items()}


class RoleConditionsView(NationalMixin, TemplateView):
    """The conditions on one profile's permissions (other profiles holding the same permissions are not bound)."""

    permission = perms.MANAGE_CONTEXT
    template_name = "directory/role_conditions.html"

    def dispatch(self, request, *args, **kwargs):
        self.role = get_object_or_404(ServiceRole.objects.exclude(status=Status.REMOVED).select_related("service"),
                                      pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        role = self.role
        return super().get_context_data(
            role=role,
            title=_("Conditions du profil « %(role)s »") % {"role": role.name},
            breadcrumb=[{"url": reverse("directory:service-list"), "title": _("Catalogue des services")}],
            conditions=grant_conditions([role]).get(role.pk, []),
            has_constraints=ContextConstraint.objects.exists(),
            form=kwargs.pop("form", None) or GrantConditionForm(role=role, prefix="condition"),
            activations=activation_conditions(role),
            activation_form=kwargs.pop("activation_form", None) or ActivationConditionForm(prefix="activation"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        role, user = self.role, request.user
        back = reverse("directory:role-conditions", args=[role.pk])
        if "retirer-activation" in request.POST or "activation-constraint" in request.POST:
            return self.post_activation(request, back)
        removed = request.POST.get("retirer", "")
        if removed:
            if not removed.isdigit():
                return redirect(back)
            link = get_object_or_404(GrantConstraint, pk=int(removed), role=role)
            form = GrantConditionForm(role=role, prefix="condition")
            if run_action(request, form, lambda: scope_services.remove_grant_constraint(user, link)):
                messages.success(request, _("Condition retirée."))
                return redirect(back)
            return self.render_to_response(self.get_context_data(form=form))
        form = GrantConditionForm(request.POST, role=role, prefix="condition")
        if form.is_valid() and run_action(request, form, lambda: scope_services.add_grant_constraint(
                user, role, *form.pair(), form.cleaned_data["constraint"])):
            messages.success(request, _("Condition enregistrée."))
            return redirect(back)
        return self.render_to_response(self.get_context_data(form=form))

    def post_activation(self, request, back: str):
        """Add or remove a condition of the profile's activation (« Conditions d'activation »)."""
        role, user = self.role, request.user
        removed = request.POST.get("retirer-activation")
        if removed is not None:
            if not removed.isdigit():
                return redirect(back)
            link = get_object_or_404(ActivationConstraint, pk=int(removed), role=role)
            form = ActivationConditionForm(prefix="activation")
            if run_action(request, form, lambda: scope_services.remove_activation_constraint(user, link)):
                messages.success(request, _("Condition d'activation retirée."))
                return redirect(back)
            return self.render_to_response(self.get_context_data(activation_form=form))
        form = ActivationConditionForm(request.POST, prefix="activation")
        if form.is_valid() and run_action(request, form, lambda: scope_services.add_activation_constraint(
                user, role, form.cleaned_data["constraint"])):
            messages.success(request, _("Condition d'activation enregistrée."))
            return redirect(back + "#activation")
        return self.render_to_response(self.get_context_data(activation_form=form))
