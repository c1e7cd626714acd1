"""Pages of the partner administrator and of partner delegates (ADM-4): their perimeter, their groups and
accounts and who holds what — nothing outside what each administers; refusals shown with their explanation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from habpps.accounts.models import Account, AccountStatus
from habpps.authorization import perimeters
from habpps.authorization.mixins import run_action
from habpps.authorization.models import AccountWindow, ActivationConstraint
from habpps.conventions.delegation import authority as rules
from habpps.conventions.delegation import services
from habpps.conventions.delegation.forms import PartnerAccountForm, PerimeterForm
from habpps.conventions.doctrine import convention_in_force
from habpps.conventions.impact import amendment_impact
from habpps.conventions.perimeter_decisions import holders_count
from habpps.conventions.views.access import may_read
from habpps.conventions.workflow import VersionState
from habpps.directory.forms import AccountChoiceForm, GrantForm, GroupForm
from habpps.directory.models import Group, GroupMembership, GroupRoleAssignment, ServiceRole, Status
from habpps.directory.services.attributes import describe as describe_attributes
from habpps.directory.services.attributes import subject_attributes
from habpps.directory.views.conditions import grant_conditions
from habpps.directory.views.windows import WindowFormMixin


def posted_id(request, name: str) -> int:
    """The numeric id posted as ``name``; anything else is a 404 (a non-numeric id was a 500, finding 10)."""
    value = request.POST.get(name, "")
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise Http404
    return int(value)


class DelegationMixin(LoginRequiredMixin):
    """Reached only by an account administering (part of) its own partner; anyone else gets a 404."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        partner = request.user.partner
        self.authority = rules.authority_of(request.user, partner) if partner else None
        if self.authority is None:
            raise Http404
        self.partner = partner
        return super().dispatch(request, *args, **kwargs)

    def groups(self):
        groups = Group.objects.filter(partner=self.partner).exclude(status=Status.REMOVED)
        if self.authority.group_ids is not None:
            groups = groups.filter(pk__in=self.authority.group_ids)
        return groups.order_by("name")

    def grantable_roles(self):
        """Profiles offered in the forms: a delegate's own; for the administrator those of the doctrine, so that
        a profile beyond the convention is refused with its explanation rather than silently missing."""
        if self.authority.full:
            return ServiceRole.objects.filter(
                status=Status.ACTIVE,
                account_level="",
                doctrine_rules__partner_type=self.partner.partner_type_id,
            ).select_related("service")
        return ServiceRole.objects.filter(pk__in=self.authority.role_ids).select_related("service")


class DelegationHomeView(DelegationMixin, TemplateView):
    template_name = "conventions/delegation/home.html"

    def accounts(self):
        accounts = self.partner.accounts.exclude(status=AccountStatus.REMOVED).order_by(
            "last_name", "first_name"
        )
        rows = []
        profiles: dict[int, list] = {}
        for assignment in (
            GroupRoleAssignment.objects.current()
            .filter(group__partner=self.partner)
            .select_related("role")
            .order_by("role__name")
        ):
            profiles.setdefault(assignment.group_id, []).append(assignment)
        windows = {row.account_id: row for row in AccountWindow.objects.filter(account__partner=self.partner)}
        declared = subject_attributes()
        conditions = grant_conditions({a.role_id for grants in profiles.values() for a in grants})
        activations: dict[int, list[str]] = {}
        for role_id, name in ActivationConstraint.objects.filter(
                role_id__in={a.role_id for grants in profiles.values() for a in grants}).order_by(
                "constraint__name").values_list("role_id", "constraint__name"):
            activations.setdefault(role_id, []).append(name)
        for account in accounts:
            groups = [
                m.group
                for m in GroupMembership.objects.current().filter(account=account).select_related("group")
            ]
            rows.append(
                {
                    "account": account,
                    "groups": groups,
                    "grants": [a for group in groups for a in profiles.get(group.pk, [])],
                    "window": windows.get(account.pk),
                    "attributes": describe_attributes(account, declared),
                    "conditions": [{"role": a.role, "permissions": conditions[a.role_id]}
                                   for group in groups for a in profiles.get(group.pk, []) if a.role_id in conditions],
                    "activations": [{"role": a.role, "names": activations[a.role_id]}
                                    for group in groups for a in profiles.get(group.pk, []) if a.role_id in activations],
                    "manageable": rules.account_refusal(self.authority, account) is None
                    and account.pk != self.request.user.pk,
                }
            )
        return rows

    def coming_amendment(self, convention) -> dict | None:
        """An amendment awaiting verification that would withdraw profiles: the partner administrator hears of it
        before it takes effect, with who would lose what (the engine's figures, `conventions.impact`)."""
        if convention is None or not may_read(self.request.user, convention):
            return None
        version = convention.open_version()
        if version is None or version.state != VersionState.SUBMITTED or not version.is_amendment:
            return None
        impact = amendment_impact(version)
        return {"version": version, "impact": impact} if impact.losses else None

    def get_context_data(self, **kwargs) -> dict:
        convention = convention_in_force(self.partner)
        version = convention.version_in_force() if convention else None
        perimeter = []
        if version is not None:
            for role_id, limit in sorted(version.granted().items()):
                role = ServiceRole.objects.get(pk=role_id)
                perimeter.append(
                    {
                        "role": role,
                        "limit": limit,
                        "holders": holders_count(self.partner, role),
                        "mine": self.authority.covers_role(role),
                    }
                )
        delegates = []
        if self.authority.full:
            for account in self.partner.accounts.filter(status=AccountStatus.ACTIVE).exclude(
                pk=self.request.user.pk
            ):
                authority = rules.authority_of(account, self.partner)
                if authority is not None and not authority.full:
                    delegates.append({"account": account, "authority": authority})
        group_form = kwargs.pop("group_form", None)
        # Asked of the engine (can_create_group), as the service asks it when the form is posted: who may not create
        # a group is told why instead of being offered the form.
        creation_refusal = None if group_form else perimeters.group_creation_refusal(self.request.user, self.partner)
        return super().get_context_data(
            title=_("Gestion déléguée — %(partner)s") % {"partner": self.partner.name},
            convention=convention,
            coming=self.coming_amendment(convention),
            perimeter=perimeter,
            groups=self.groups(),
            accounts=self.accounts(),
            delegates=delegates,
            account_form=kwargs.pop("account_form", None)
            or PartnerAccountForm(groups=self.groups(), prefix="compte"),
            group_form=group_form or (GroupForm(prefix="groupe") if creation_refusal is None else None),
            group_creation_refusal=creation_refusal,
            **kwargs,
        )


class AccountCreateView(DelegationHomeView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = PartnerAccountForm(request.POST, groups=self.groups(), prefix="compte")
        created = {}

        def action():
            created["account"] = services.create_account(request.user, self.partner, **form.cleaned_data)

        if form.is_valid() and run_action(request, form, action):
            messages.success(
                request,
                _(
                    "Compte %(login)s créé : l'identifiant et le mot de passe provisoire sont envoyés dans deux "
                    "courriels séparés."
                )
                % {"login": created["account"].login},
            )
            return redirect("delegation:home")
        return self.render_to_response(self.get_context_data(account_form=form))


class GroupCreateView(DelegationHomeView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        # Who may create a group is the engine's decision (can_create_group), taken by the service: a refusal comes
        # back next to the form, with the engine's explanation, and is journalled.
        form = GroupForm(request.POST, prefix="groupe")
        created = {}

        def action():
            created["group"] = services.create_group(request.user, self.partner, **form.cleaned_data)

        if form.is_valid() and run_action(request, form, action):
            messages.success(request, _("Groupe « %(name)s » créé.") % {"name": created["group"].name})
            return redirect("delegation:group", created["group"].pk)
        return self.render_to_response(self.get_context_data(group_form=form))


class AccountStatusView(DelegationMixin, View):
    """Suspend, reactivate or remove an account of the actor's perimeter (a POST button)."""

    def post(self, request, pk: int, status: str):
        account = get_object_or_404(Account, pk=pk, partner=self.partner)
        if status not in AccountStatus.values:
            raise Http404
        try:
            services.set_account_status(request.user, account, status)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Statut de %(name)s : %(status)s.")
                % {"name": account.full_name, "status": AccountStatus(status).label},
            )
        return redirect("delegation:home")


class GroupView(DelegationMixin, TemplateView):
    template_name = "conventions/delegation/group.html"

    def get_group(self) -> Group:
        group = get_object_or_404(Group, pk=self.kwargs["pk"], partner=self.partner)
        if not self.authority.covers_group(group):
            raise Http404
        return group

    def member_candidates(self, group: Group):
        current = GroupMembership.objects.current().filter(group=group).values("account_id")
        return self.partner.accounts.filter(status=AccountStatus.ACTIVE).exclude(pk__in=current)

    def profile_candidates(self, group: Group):
        held = GroupRoleAssignment.objects.current().filter(group=group).values("role_id")
        return self.grantable_roles().exclude(pk__in=held)

    def get_context_data(self, **kwargs) -> dict:
        group = self.get_group()
        return super().get_context_data(
            group=group,
            title=_("Groupe « %(name)s »") % {"name": group.name},
            breadcrumb=[{"url": reverse("delegation:home"), "title": _("Gestion déléguée")}],
            members=GroupMembership.objects.current().filter(group=group).select_related("account"),
            profiles=GroupRoleAssignment.objects.current()
            .filter(group=group)
            .select_related("role__service"),
            member_form=kwargs.pop("member_form", None)
            or AccountChoiceForm(accounts=self.member_candidates(group), prefix="membre"),
            profile_form=kwargs.pop("profile_form", None)
            or GrantForm(roles=self.profile_candidates(group), prefix="profil"),
            **kwargs,
        )


class GroupActionView(GroupView):
    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        group = self.get_group()
        user = request.user
        if action == "ajouter-membre":
            form = AccountChoiceForm(request.POST, accounts=self.member_candidates(group), prefix="membre")
            if form.is_valid() and run_action(
                request, form, lambda: services.add_member(user, group, form.cleaned_data["account"])
            ):
                messages.success(request, _("Membre ajouté au groupe."))
                return redirect("delegation:group", group.pk)
            return self.render_to_response(self.get_context_data(member_form=form))
        if action == "attribuer-profil":
            form = GrantForm(request.POST, roles=self.profile_candidates(group), prefix="profil")
            if form.is_valid() and run_action(
                request, form, lambda: services.assign_profile(user, group, form.cleaned_data["role"], form.window())
            ):
                messages.success(request, _("Profil attribué au groupe."))
                return redirect("delegation:group", group.pk)
            return self.render_to_response(self.get_context_data(profile_form=form))
        if action == "retirer-membre":
            account = get_object_or_404(Account, pk=posted_id(request, "account"), partner=self.partner)
            return self._simple(
                group,
                lambda: services.remove_member(user, group, account),
                _("%(name)s ne fait plus partie du groupe.") % {"name": account.full_name},
            )
        if action == "retirer-profil":
            role = get_object_or_404(ServiceRole, pk=posted_id(request, "role"))
            return self._simple(
                group,
                lambda: services.withdraw_profile(user, group, role),
                _("Profil « %(role)s » retiré du groupe.") % {"role": role.name},
            )
        raise Http404

    def _simple(self, group: Group, action, success: str):
        try:
            action()
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
        else:
            messages.success(self.request, success)
        return redirect("delegation:group", group.pk)


class PerimeterView(DelegationMixin, TemplateView):
    """The partner administrator gives one delegate his sub-perimeter."""

    template_name = "conventions/delegation/perimeter.html"

    def get_delegate(self) -> Account:
        delegate = get_object_or_404(Account, pk=self.kwargs["pk"], partner=self.partner)
        refusal = rules.delegation_refusal(self.authority, delegate, [], [])
        if refusal is not None and refusal.code == "cannot_delegate":
            raise Http404  # the engine's can_delegate: who holds no delegate ability has no such page
        return delegate

    def form(self, delegate: Account, data=None) -> PerimeterForm:
        current = rules.current_perimeter(delegate)
        initial = (
            {"groups": list(current.groups.all()), "roles": list(current.roles.all())} if current else {}
        )
        return PerimeterForm(
            data,
            groups=Group.objects.filter(partner=self.partner, status=Status.ACTIVE),
            roles=ServiceRole.objects.filter(pk__in=self.authority.role_ids),
            initial=initial,
            prefix="perimetre",
        )

    def get_context_data(self, **kwargs) -> dict:
        delegate = self.get_delegate()
        return super().get_context_data(
            delegate=delegate,
            title=_("Périmètre délégué à %(name)s") % {"name": delegate.full_name},
            breadcrumb=[{"url": reverse("delegation:home"), "title": _("Gestion déléguée")}],
            form=kwargs.pop("form", None) or self.form(delegate),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        delegate = self.get_delegate()
        form = self.form(delegate, request.POST)
        if form.is_valid() and run_action(
            request,
            form,
            lambda: services.delegate_perimeter(
                request.user,
                delegate,
                groups=list(form.cleaned_data["groups"]),
                roles=list(form.cleaned_data["roles"]),
            ),
        ):
            messages.success(request, _("Périmètre de %(name)s enregistré.") % {"name": delegate.full_name})
            return redirect("delegation:home")
        return self.render_to_response(self.get_context_data(form=form))


class ProfileWindowView(DelegationMixin, WindowFormMixin):
    """The partner administrator or a delegate changes when a group's profile may be used (ENG-5)."""

    def dispatch(self, request, *args, **kwargs):
        self.assignment = get_object_or_404(
            GroupRoleAssignment.objects.current().select_related("group__partner", "role"),
            group_id=kwargs["pk"],
            role_id=kwargs["role_pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        group = self.assignment.group
        if group.partner_id != self.partner.pk or not self.authority.covers_group(group):
            raise Http404
        return super().get_context_data(
            breadcrumb=[{"url": reverse("delegation:home"), "title": _("Gestion déléguée")}], **kwargs
        )

    def title(self) -> str:
        return _("Période d'accès du profil « %(role)s » — groupe « %(group)s »") % {
            "role": self.assignment.role.name,
            "group": self.assignment.group.name,
        }

    def back_url(self) -> str:
        return reverse("delegation:group", args=[self.assignment.group_id])

    def save(self, window) -> None:
        if self.assignment.group.partner_id != self.partner.pk or not self.authority.covers_group(
            self.assignment.group
        ):
            raise Http404
        services.set_profile_window(self.request.user, self.assignment, window)
