"""Pages of a partner's groups: members and profiles (ENG-4), for fund admins and the partner's administrators.

The engine decides who may manage a partner's groups; the registered perimeters (``habpps.authorization.perimeters``)
then bound what each may do there: a partner delegate sees only the groups delegated to him — any other is a
404, as a group of another partner — and every action is refused, with its explanation, outside the partner's
validated convention or the delegated profiles, by the services themselves.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from habpps.accounts.models import AccountStatus
from habpps.authorization import perimeters
from habpps.authorization import permissions as perms
from habpps.authorization.mixins import EngineAccessMixin, held_message, run_action
from habpps.authorization.orgs import partner_unit
from habpps.directory import services
from habpps.directory.forms import AccountChoiceForm, GrantForm, GroupForm
from habpps.directory.models import Group, GroupMembership, GroupRoleAssignment, Partner, ServiceRole, Status
from habpps.directory.views.confirm import confirmation_page, is_confirmed
from habpps.directory.views.status import StatusChangeView


class GroupAccessMixin(EngineAccessMixin):
    """Managing the groups of the partner in the URL, decided in that partner's unit, then within the viewer's
    perimeter there."""

    permission = perms.MANAGE_GROUPS

    def get_partner(self) -> Partner:
        return self.group.partner

    def get_permission_org(self) -> str:
        return partner_unit(self.get_partner().pk)

    def perimeter_refusal(self) -> perimeters.Refusal | None:
        return perimeters.group_refusal(self.request.user, self.group)

    def check_access(self) -> None:
        super().check_access()
        if self.perimeter_refusal() is not None:
            raise Http404


def run_button_action(request, action, success: str) -> None:
    """Run the action of a one-button form: success or the refusal's explanation, as a message."""
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)


class GroupCreateView(GroupAccessMixin, FormView):
    form_class = GroupForm
    template_name = "directory/form_page.html"

    def dispatch(self, request, *args, **kwargs):
        self.partner = get_object_or_404(Partner, pk=kwargs["partner_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_partner(self) -> Partner:
        return self.partner

    def perimeter_refusal(self) -> perimeters.Refusal | None:
        return perimeters.group_creation_refusal(self.request.user, self.partner)

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            title=_("Nouveau groupe de « %(partner)s »") % {"partner": self.partner.name},
            cancel_url=reverse("directory:partner-detail", args=[self.partner.pk]),
            **kwargs,
        )

    def form_valid(self, form):
        created = {}

        def action():
            created["group"] = services.create_group(self.request.user, self.partner, **form.cleaned_data)

        if not run_action(self.request, form, action):
            return self.form_invalid(form)
        messages.success(self.request, _("Groupe « %(name)s » créé.") % {"name": created["group"].name})
        return redirect("directory:group-detail", created["group"].pk)


def member_candidates(group: Group):
    current = GroupMembership.objects.current().filter(group=group).values("account_id")
    return group.partner.accounts.filter(status=AccountStatus.ACTIVE).exclude(pk__in=current)


def profile_candidates(group: Group):
    """Profiles the doctrine allows for the partner's type and the group does not hold yet."""
    held = GroupRoleAssignment.objects.current().filter(group=group).values("role_id")
    return (
        ServiceRole.objects.filter(
            status=Status.ACTIVE, account_level="", doctrine_rules__partner_type=group.partner.partner_type_id
        )
        .exclude(pk__in=held)
        .select_related("service")
    )


class GroupDetailView(GroupAccessMixin, TemplateView):
    template_name = "directory/group_detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.group = get_object_or_404(
            Group.objects.select_related("partner__fund", "partner__partner_type"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        group = self.group
        return super().get_context_data(
            group=group,
            members=GroupMembership.objects.current().filter(group=group).select_related("account"),
            profiles=GroupRoleAssignment.objects.current()
            .filter(group=group)
            .select_related("role__service"),
            member_form=kwargs.pop("member_form", None)
            or AccountChoiceForm(accounts=member_candidates(group), prefix="membre"),
            profile_form=kwargs.pop("profile_form", None)
            or GrantForm(roles=profile_candidates(group), prefix="profil"),
            title=_("Groupe « %(name)s »") % {"name": group.name},
            breadcrumb=[
                {
                    "url": reverse("directory:partner-detail", args=[group.partner_id]),
                    "title": group.partner.name,
                }
            ],
            **kwargs,
        )


class GroupMemberAddView(GroupDetailView):
    def post(self, request, *args, **kwargs):
        form = AccountChoiceForm(request.POST, accounts=member_candidates(self.group), prefix="membre")
        result = []
        if form.is_valid() and run_action(
            request,
            form,
            lambda: result.append(services.add_group_member(request.user, self.group, form.cleaned_data["account"])),
        ):
            held_message(request, result[0]) or messages.success(request, _("Membre ajouté au groupe."))
            return redirect("directory:group-detail", self.group.pk)
        return self.render_to_response(self.get_context_data(member_form=form))


class GroupProfileAssignView(GroupDetailView):
    def post(self, request, *args, **kwargs):
        form = GrantForm(request.POST, roles=profile_candidates(self.group), prefix="profil")
        result = []
        if form.is_valid() and run_action(
            request,
            form,
            lambda: result.append(services.assign_group_role(request.user, self.group, form.cleaned_data["role"], form.window())),
        ):
            held_message(request, result[0]) or messages.success(request, _("Profil attribué au groupe."))
            return redirect("directory:group-detail", self.group.pk)
        return self.render_to_response(self.get_context_data(profile_form=form))


class GroupMemberRemoveView(GroupAccessMixin, View):
    """Remove one member (a POST button on the group page)."""

    def dispatch(self, request, *args, **kwargs):
        self.group = get_object_or_404(Group, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk: int, account_pk: int):
        membership = get_object_or_404(
            GroupMembership.objects.current(), group=self.group, account_id=account_pk
        )
        refused = perimeters.first_refusal(
            lambda p: p.member_removal_refusal(request.user, self.group, membership.account)
        )
        # A refused removal is not confirmed first: the action below says why, at once.
        if not is_confirmed(request) and refused is None:
            profiles = ", ".join(
                f"« {assignment.role.name} »"
                for assignment in GroupRoleAssignment.objects.current().filter(group=self.group).select_related("role")
            )
            return confirmation_page(
                request,
                title=_("Retirer %(account)s du groupe « %(group)s »")
                % {"account": membership.account.full_name, "group": self.group.name},
                consequence=_(
                    "%(account)s perdra aussitôt les profils que le groupe lui donne (%(profiles)s), sauf s'il les "
                    "tient d'un autre groupe. L'historique est conservé."
                )
                % {"account": membership.account.full_name, "profiles": profiles or _("aucun")},
                verb=_("Retirer du groupe"),
                cancel_url=reverse("directory:group-detail", args=[self.group.pk]),
            )
        run_button_action(
            request,
            lambda: services.remove_group_member(request.user, self.group, membership.account),
            _("%(account)s ne fait plus partie du groupe.") % {"account": membership.account},
        )
        return redirect("directory:group-detail", self.group.pk)


class GroupProfileRemoveView(GroupAccessMixin, View):
    def dispatch(self, request, *args, **kwargs):
        self.group = get_object_or_404(Group, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk: int, role_pk: int):
        assignment = get_object_or_404(
            GroupRoleAssignment.objects.current(), group=self.group, role_id=role_pk
        )
        refused = perimeters.first_refusal(
            lambda p: p.profile_removal_refusal(request.user, self.group, assignment.role)
        )
        if not is_confirmed(request) and refused is None:
            members = GroupMembership.objects.current().filter(group=self.group).count()
            return confirmation_page(
                request,
                title=_("Retirer le profil « %(role)s » du groupe « %(group)s »")
                % {"role": assignment.role.name, "group": self.group.name},
                consequence=ngettext(
                    "Le membre du groupe perdra aussitôt ce profil et les accès qu'il donne, sauf s'il le tient "
                    "d'un autre groupe. L'historique est conservé.",
                    "Les %(members)d membres du groupe perdront aussitôt ce profil et les accès qu'il donne, sauf "
                    "ceux qui le tiennent d'un autre groupe. L'historique est conservé.",
                    members,
                )
                % {"members": members},
                verb=_("Retirer le profil"),
                cancel_url=reverse("directory:group-detail", args=[self.group.pk]),
            )
        run_button_action(
            request,
            lambda: services.unassign_group_role(request.user, self.group, assignment.role),
            _("Profil « %(role)s » retiré du groupe.") % {"role": assignment.role.name},
        )
        return redirect("directory:group-detail", self.group.pk)


class GroupStatusView(StatusChangeView):
    permission = perms.MANAGE_GROUPS

    def get_object(self):
        return get_object_or_404(Group, pk=self.kwargs["pk"])

    def get_permission_org(self) -> str:
        return partner_unit(self.object.partner_id)

    def check_access(self) -> None:
        super().check_access()
        if perimeters.group_refusal(self.request.user, self.object) is not None:
            raise Http404

    def change(self, actor, obj, status: str) -> None:
        services.set_group_status(actor, obj, status)

    def get_success_url(self) -> str:
        return reverse("directory:group-detail", args=[self.object.pk])
