"""Changes held by a ``require_approval`` exclusion, and breaches a ``report`` exclusion let through (ENG-7).

The engine decides: when a change would break a ``require_approval`` rule, applying it raises
`ApprovalRequired` and the whole change rolls back; the service that tried it calls `request_approval`, which
persists the change as a `PendingApproval` with the engine's explanation. It waits in the « À approuver » queue
until a second administrator — who holds the approval permission in the change's unit (an engine decision) and is
neither its requester nor its beneficiary — approves it before it expires (``HABPPS_APPROVAL_DAYS``); the change
is then made with that rule, and that rule only, waived (``policy_change(approved=…)``).

A ``report`` rule lets the change through: the engine records the breach and the change's ``policy_change``
persists it as a `ReportedViolation` (`persist_reported`), listed on the least-privilege dashboard (SUP-7) until
someone acknowledges it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.authorization.access_windows import Window
from habpps.authorization.decisions import authorize, is_allowed
from habpps.authorization.labels import in_french
from habpps.authorization.model_permissions import APPROVE_CHANGES
from habpps.authorization.policy_cache import policy_change
from habpps.authorization.records import as_record, target_of
from habpps.authorization.separation_models import (
    ApprovalStatus,
    PendingApproval,
    ReportedViolation,
    RoleInheritance,
    RoleRule,
)
from habpps.authorization.stored import (
    Account,
    AccountRoleAssignment,
    GroupMembership,
    GroupRoleAssignment,
    RolePermission,
    ServiceRole,
)
from habpps.engine import ApprovalRequired
from habpps.journal.services import record_event


def approval_delay() -> timedelta:
    return timedelta(days=settings.HABPPS_APPROVAL_DAYS)


def request_approval(actor, held: ApprovalRequired, *, action: str, org: str, org_scope: str,
                     account=None, role=None, group=None, window: Window | None = None,
                     arguments: dict | None = None) -> PendingApproval:
    """Persist a change the engine held (``held``) until a second administrator decides; journalled. A grant's
    time window (ENG-5) is kept with it: approved, the grant is made within the window its requester gave."""
    now = timezone.now()
    with transaction.atomic():
        pending = PendingApproval.objects.create(
            action=action, account=account, role=role, group=group, org=org, org_scope=org_scope,
            window=(window or Window()).as_json(), arguments=arguments or {},
            exclusions=list(held.pending.exclusions), message=in_french(held.pending.message),
            requested_by=actor if getattr(actor, "pk", None) else None, requested_at=now,
            expires_at=now + approval_delay(),
        )
        record_event("admin.approval.request", actor=actor, org_scope=org_scope, target=target_of(pending),
                     before=None, after=as_record(pending))
    return pending


def visible_approvals(actor) -> QuerySet:
    """The held changes ``actor`` may see: those of the units where the engine lets it approve."""
    expire_overdue()
    rows = PendingApproval.objects.select_related("account", "role", "group", "requested_by", "decided_by")
    units = {org for org in rows.values_list("org", flat=True).distinct() if is_allowed(actor, *APPROVE_CHANGES, org)}
    return rows.filter(org__in=units)


def expire_overdue() -> int:
    """Mark pending changes past their delay as expired (journalled); returns how many."""
    overdue = list(PendingApproval.objects.filter(status=ApprovalStatus.PENDING, expires_at__lte=timezone.now()))
    for pending in overdue:
        with transaction.atomic():
            before = as_record(pending)
            pending.status = ApprovalStatus.EXPIRED
            pending.save(update_fields=["status"])
            record_event("admin.approval.expire", actor=None, org_scope=pending.org_scope,
                         target=target_of(pending), before=before, after=as_record(pending))
    return len(overdue)


def beneficiaries(pending: PendingApproval) -> set[int]:
    """The accounts the change would give more to."""
    if pending.account_id:
        return {pending.account_id}
    if pending.group_id:
        return set(GroupMembership.objects.current().filter(group_id=pending.group_id)
                   .values_list("account_id", flat=True))
    if pending.role_id:  # a change to the role itself: every holder of it gains
        groups = GroupRoleAssignment.objects.current().filter(role_id=pending.role_id).values_list("group_id")
        return set(AccountRoleAssignment.objects.current().filter(role_id=pending.role_id)
                   .values_list("account_id", flat=True)) | set(
            GroupMembership.objects.current().filter(group_id__in=groups).values_list("account_id", flat=True))
    return set()


def change_details(pending: PendingApproval) -> list[str]:
    """What the held change would do, in words, for whoever decides it: the permissions a profile would gain or
    lose, the role another would inherit, the scope a role would take."""
    from habpps.authorization.permission_labels import PermissionLabels

    if pending.action == "set_role_permissions" and pending.role_id:
        label = PermissionLabels()
        wanted = {tuple(p) for p in pending.arguments.get("permissions", ())}
        held = set(RolePermission.objects.filter(role_id=pending.role_id).values_list("operation", "obj"))
        lines = [_("Permission ajoutée : %(label)s (%(code)s)") % {"label": label(*p), "code": " ".join(p)}
                 for p in sorted(wanted - held)]
        lines += [_("Permission retirée : %(label)s (%(code)s)") % {"label": label(*p), "code": " ".join(p)}
                  for p in sorted(held - wanted)]
        return lines
    if pending.action == "add_inheritance":
        junior = ServiceRole.objects.filter(pk=pending.arguments.get("junior")).first()
        return [_("Hériterait de « %(junior)s »") % {"junior": junior.name}] if junior else []
    if pending.action == "set_role_descends":
        return [_("S'étendrait aux unités inférieures") if pending.arguments.get("descends")
                else _("Limité à son unité")]
    return []


def check_may_decide(actor, pending: PendingApproval) -> None:
    """Refuse (French) unless ``actor`` may decide ``pending`` now."""
    authorize(actor, *APPROVE_CHANGES, pending.org)
    if pending.effective_status != ApprovalStatus.PENDING:
        raise ValidationError(
            _("Cette demande est %(status)s : elle ne peut plus être décidée.")
            % {"status": ApprovalStatus(pending.effective_status).label.lower()}, code="approval_closed")
    if actor is not None and pending.requested_by_id == actor.pk:
        raise ValidationError(_("Vous avez demandé ce changement : un second administrateur doit le décider."),
                              code="approval_requester")
    if actor is not None and actor.pk in beneficiaries(pending):
        raise ValidationError(_("Ce changement vous bénéficie : un autre administrateur doit le décider."),
                              code="approval_beneficiary")


def approve(actor, pending: PendingApproval) -> PendingApproval:
    """Make the held change, the rules it was held by waived; the engine checks every other rule again."""
    with policy_change(approved=tuple(pending.exclusions), requester=pending.requested_by):
        pending = PendingApproval.objects.select_for_update().get(pk=pending.pk)
        check_may_decide(actor, pending)
        before = as_record(pending)
        _make(pending)
        pending.status, pending.decided_by, pending.decided_at = ApprovalStatus.APPROVED, actor, timezone.now()
        pending.save(update_fields=["status", "decided_by", "decided_at"])
        record_event("admin.approval.approve", actor=actor, org_scope=pending.org_scope, target=target_of(pending),
                     before=before, after=as_record(pending))
    return pending


def reject(actor, pending: PendingApproval, reason: str = "") -> PendingApproval:
    with transaction.atomic():
        pending = PendingApproval.objects.select_for_update().get(pk=pending.pk)
        check_may_decide(actor, pending)
        before = as_record(pending)
        pending.status, pending.decided_by, pending.decided_at = ApprovalStatus.REJECTED, actor, timezone.now()
        pending.reason = reason.strip()
        pending.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        record_event("admin.approval.reject", actor=actor, org_scope=pending.org_scope, target=target_of(pending),
                     before=before, after=as_record(pending))
    return pending


def _make(pending: PendingApproval) -> None:
    """Write the held change's rows, in the approving ``policy_change``, journalled as the original would be."""
    requester = pending.requested_by
    window = pending.access_window
    timed = {"window": window.as_record()} if window else {}
    if pending.action == "assign_user":
        if AccountRoleAssignment.objects.current().filter(account=pending.account, role=pending.role).exists():
            raise ValidationError(_("Ce compte a déjà ce rôle."), code="account_role_exists")
        AccountRoleAssignment.objects.create(account=pending.account, role=pending.role, started_by=requester,
                                             **window.columns())
        target, data = target_of(pending.account), {"role": pending.role.code, **timed}
        kind = "admin.account.role.grant"
    elif pending.action == "assign_group":
        if GroupRoleAssignment.objects.current().filter(group=pending.group, role=pending.role).exists():
            raise ValidationError(_("Le groupe a déjà ce profil."), code="group_role_exists")
        GroupRoleAssignment.objects.create(group=pending.group, role=pending.role, started_by=requester,
                                           **window.columns())
        target, data = target_of(pending.group), {"role": pending.role.code, **timed}
        kind = "admin.group.role.assign"
    elif pending.action == "add_group_member":
        if GroupMembership.objects.current().filter(group=pending.group, account=pending.account).exists():
            raise ValidationError(_("Ce compte est déjà membre du groupe."), code="membership_exists")
        GroupMembership.objects.create(group=pending.group, account=pending.account, started_by=requester)
        target, data = target_of(pending.group), {"account": pending.account.login}
        kind = "admin.group.member.add"
    elif pending.action in MODEL_ACTIONS:
        target, data, kind = MODEL_ACTIONS[pending.action](pending, requester)
    else:
        raise ValidationError(_("Changement inconnu."), code="approval_action")
    record_event(kind, actor=requester, org_scope=pending.org_scope, target=target, before=None,
                 data={**data, "approval": pending.pk})


def _make_inheritance(pending: PendingApproval, requester):
    junior = ServiceRole.objects.get(pk=pending.arguments["junior"])
    if RoleInheritance.objects.filter(senior=pending.role, junior=junior).exists():
        raise ValidationError(_("Cet héritage existe déjà."), code="inheritance_exists")
    link = RoleInheritance.objects.create(senior=pending.role, junior=junior, created_by=requester)
    return target_of(link), {"senior": pending.role.code, "junior": junior.code}, "admin.model.inheritance.add"


def _make_descends(pending: PendingApproval, requester):
    rule, _created = RoleRule.objects.select_for_update().get_or_create(role=pending.role)
    rule.descends, rule.max_users = pending.arguments["descends"], pending.arguments.get("max_users")
    rule.changed_at, rule.changed_by = timezone.now(), requester
    rule.save()
    return target_of(rule), {"role": pending.role.code, "descends": rule.descends}, "admin.model.role_rule.set"


def _make_permissions(pending: PendingApproval, requester):
    role = pending.role
    wanted = {tuple(p) for p in pending.arguments["permissions"]}
    held = set(RolePermission.objects.filter(role=role).values_list("operation", "obj"))
    for operation, obj in sorted(wanted - held):
        RolePermission.objects.create(role=role, operation=operation, obj=obj)
    for operation, obj in held - wanted:
        RolePermission.objects.filter(role=role, operation=operation, obj=obj).delete()
    return target_of(role), {"permissions": sorted(map(list, wanted))}, "admin.role.permissions"


MODEL_ACTIONS = {
    "add_inheritance": _make_inheritance,
    "set_role_descends": _make_descends,
    "set_role_permissions": _make_permissions,
}
"""Changes to the model itself (ENG-2, ENG-3) a ``require_approval`` rule may hold, made again on approval."""


# -- report ------------------------------------------------------------------------------------------------------------
def persist_reported(violations) -> list[ReportedViolation]:
    """Store the engine's ``ReportedViolation`` records of one change (its ``policy_change`` calls this)."""
    logins = {v.subject for v in violations}
    accounts = {a.login: a for a in Account.objects.filter(login__in=logins)}
    rows = []
    for violation in violations:
        account = accounts.get(violation.subject)
        rows.append(ReportedViolation.objects.create(
            exclusion=violation.exclusion, account=account, subject=violation.subject,
            held=[in_french(held) for held in violation.held],
            action=violation.action, org_scope=account.org_scope if account else "", at=timezone.now(),
        ))
        record_event("admin.exclusion.reported", actor=None, org_scope=rows[-1].org_scope,
                     target=target_of(rows[-1]), before=None, after=as_record(rows[-1]))
    return rows


def acknowledge(actor, violation: ReportedViolation) -> ReportedViolation:
    with transaction.atomic():
        violation = ReportedViolation.objects.select_for_update().get(pk=violation.pk)
        if violation.acknowledged_at is not None:
            raise ValidationError(_("Cette infraction a déjà été prise en compte."), code="acknowledged")
        before = as_record(violation)
        violation.acknowledged_at, violation.acknowledged_by = timezone.now(), actor
        violation.save(update_fields=["acknowledged_at", "acknowledged_by"])
        record_event("admin.exclusion.acknowledge", actor=actor, org_scope=violation.org_scope,
                     target=target_of(violation), before=before, after=as_record(violation))
    return violation


def reported_in_scope(scope_prefix: str | None) -> QuerySet:
    """Reported violations whose scope starts with ``scope_prefix`` (None: all)."""
    rows = ReportedViolation.objects.select_related("account", "acknowledged_by")
    if scope_prefix:
        rows = rows.filter(Q(org_scope=scope_prefix) | Q(org_scope__startswith=scope_prefix + "/"))
    return rows
