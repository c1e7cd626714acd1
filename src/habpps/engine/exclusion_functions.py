"""Enforcement of risk-graded exclusions (ENG-7): the `RBAC` methods over `exclusions`.

Static exclusions are checked on every change that can make someone hold more — assignment of a user or a group,
group membership, a new inheritance edge, a new grant — by evaluating the state the change would produce, before
anything changes. Thesis 4.5.8 is enforced on roles too: two exclusive permissions (or roles) never meet in one
role, directly or through a common senior. Dynamic exclusions are checked on activation. What a breach does
depends on the rule's risk: ``block`` refuses, ``require_approval`` parks the change until a second administrator
with authority decides, ``report`` lets it through and records it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from habpps.engine.authority import applies_in, ssd_members_held, users_authorized_for_any
from habpps.engine.base import EngineCore, require_cardinality, require_name
from habpps.engine.constraints import describe_member
from habpps.engine.errors import AlreadyExists, ConstraintViolation, InvalidArgument, NotFound
from habpps.engine.exclusions import (
    KINDS,
    RISK_LABELS,
    ApprovalRequired,
    Exclusion,
    ExclusionMember,
    HistoryExclusion,
    PendingChange,
    ReportedViolation,
    validate_risk,
)
from habpps.engine.model import Assignment, Permission

Breach = tuple[Exclusion, str, str, frozenset[ExclusionMember]]
"""(rule, subject kind "user"/"role"/"session", subject, members held)."""


class _View:
    """The role closures and permissions of the current state, or of the state one change would produce."""

    def __init__(self, engine: EngineCore, edge: tuple[str, str] | None = None,
                 grant: tuple[Permission, str] | None = None) -> None:
        self.engine = engine
        self.edge = edge
        self.grant = grant
        self._closures: dict[str, frozenset[str]] = {}
        self._perms: dict[str, frozenset[Permission]] = {}

    def closure(self, role: str) -> frozenset[str]:
        cached = self._closures.get(role)
        if cached is None:
            cache = self.engine._cache
            cached = cache.juniors_closure(role)
            if self.edge and self.edge[0] in cached:
                cached = cached | cache.juniors_closure(self.edge[1])
            self._closures[role] = cached
        return cached

    def permissions(self, role: str) -> frozenset[Permission]:
        cached = self._perms.get(role)
        if cached is None:
            direct = self.engine._state.role_permissions
            perms: set[Permission] = set()
            for junior in self.closure(role):
                perms |= direct.get(junior, set())
            if self.grant and self.grant[1] in self.closure(role):
                perms.add(self.grant[0])
            cached = self._perms[role] = frozenset(perms)
        return cached

    def held_by_user(self, entries: Iterable[Assignment], rule: Exclusion,
                     active: set[str] | None = None) -> frozenset[ExclusionMember]:
        """Members a user with ``entries`` holds — through roles ``active`` in a session when given."""
        state = self.engine._state
        held = set()
        for member in rule.members:
            for entry in entries:
                if member.org is not None and not applies_in(state, entry, member.org):
                    continue
                roles = [entry.role] if active is None else [r for r in active if r in self.closure(entry.role)]
                if any(self._role_holds(role, member) for role in roles):
                    held.add(member)
                    break
        return frozenset(held)

    def held_by_role(self, role: str, rule: Exclusion) -> frozenset[ExclusionMember]:
        """Members a role holds by itself (org-free members only): thesis 4.5.8."""
        return frozenset(m for m in rule.members if m.org is None and self._role_holds(role, m))

    def _role_holds(self, role: str, member: ExclusionMember) -> bool:
        if member.role is not None:
            return member.role in self.closure(role)
        return member.permission in self.permissions(role)


class ExclusionFunctions(EngineCore):
    # -- rules ----------------------------------------------------------------------------------------------------
    def create_exclusion(self, name: str, members: Iterable[Any], cardinality: int = 2, kind: str = "static",
                         risk: str = "block") -> None:
        """Define an exclusion: nobody holds ``cardinality`` or more of ``members`` (roles, (role, org),
        permissions, (permission, org)) — ``static``: among what they are authorized for; ``dynamic``: in one
        session. A ``block`` rule the current policy already breaks is refused (see `exclusion_conflicts`)."""
        self._create_exclusion(name, members, cardinality, kind, risk)

    def _create_exclusion(self, name: str, members: Iterable[Any], cardinality: int, kind: str, risk: str, *,
                          allow_fewer_members: bool = False) -> None:
        require_name(name, "name")
        if name in self._state.exclusions:
            raise AlreadyExists(f"L'exclusion « {name} » existe déjà.", code="exclusion_exists", name=name)
        if kind not in KINDS:
            raise InvalidArgument(f"Type d'exclusion inconnu « {kind} » (static ou dynamic).",
                                  code="unknown_exclusion_kind")
        validate_risk(risk)
        if kind == "dynamic" and risk == "require_approval":
            raise InvalidArgument("Une activation ne peut pas attendre une approbation : une exclusion dynamique "
                                  "est « block » ou « report ».", code="unsupported_risk")
        if isinstance(members, (str, bytes)) or not isinstance(members, Iterable):
            raise InvalidArgument("Les membres forment une liste.", code="wrong_type", parameter="members")
        parsed = frozenset(self._exclusion_member(m) for m in members)
        require_cardinality(cardinality, 2)
        if cardinality > len(parsed) and not allow_fewer_members:  # a role deletion may have shrunk a rule
            raise InvalidArgument(f"La cardinalité {cardinality} dépasse le nombre de membres ({len(parsed)}).",
                                  code="cardinality_exceeds_members")
        rule = Exclusion(name, parsed, cardinality, kind, risk)
        if risk == "block":
            breaches = self._current_breaches(rule)
            if breaches:
                raise ConstraintViolation(
                    f"L'exclusion « {name} » est déjà enfreinte : {self._describe_breach(breaches[0])}.",
                    code="exclusion_violation", name=name,
                )
        self._state.exclusions[name] = rule
        self._changed()

    def delete_exclusion(self, name: str) -> None:
        self._exclusion(name)
        del self._state.exclusions[name]
        self._changed()

    def exclusions(self) -> dict[str, Exclusion]:
        return dict(self._state.exclusions)

    def create_history_exclusion(self, name: str, obj: str, done: Iterable[str], then: str,
                                 risk: str = "block", required: bool = False) -> None:
        """Whoever did one of ``done`` on an instance of ``obj`` may not do ``then`` on that instance (four
        eyes) — with ``required``, only whoever did one of them may (an author rule). Decisions on (then, obj)
        read the instance's history from the request context."""
        require_name(name, "name")
        require_name(obj, "obj")
        require_name(then, "operation")
        if name in self._state.history_exclusions:
            raise AlreadyExists(f"L'exclusion sur l'historique « {name} » existe déjà.",
                                code="history_exclusion_exists", name=name)
        if isinstance(done, str) or not isinstance(done, Iterable):
            raise InvalidArgument("« done » est une liste d'opérations.", code="wrong_type", parameter="done")
        operations = frozenset(require_name(op, "operation") for op in done)
        if not operations:
            raise InvalidArgument("« done » ne peut pas être vide.", code="empty_name", parameter="done")
        if validate_risk(risk) == "require_approval":
            raise InvalidArgument("Une décision d'accès ne peut pas attendre une approbation : une exclusion sur "
                                  "l'historique est « block » ou « report ».", code="unsupported_risk")
        if not isinstance(required, bool):
            raise InvalidArgument("« required » est vrai ou faux.", code="wrong_type", parameter="required")
        self._state.history_exclusions[name] = HistoryExclusion(name, obj, operations, then, risk, required)
        self._changed()

    def delete_history_exclusion(self, name: str) -> None:
        require_name(name, "name")
        if name not in self._state.history_exclusions:
            raise NotFound(f"Exclusion sur l'historique inconnue : « {name} ».",
                           code="history_exclusion_not_found", name=name)
        del self._state.history_exclusions[name]
        self._changed()

    def history_exclusions(self) -> dict[str, HistoryExclusion]:
        return dict(self._state.history_exclusions)

    # -- changes that can make someone hold more ------------------------------------------------------------------
    def assign_user(self, user: str, role: str, org: str | None = None, *, actor: str | None = None) -> None:
        """AssignUser, with the static exclusions enforced by risk (see the module)."""
        report: list[Breach] = []
        if self._exclusions_apply() and user in self._state.users and role in self._state.roles:
            report = self._enforce(
                "assign_user", {"user": user, "role": role, "org": org}, actor,
                self._user_breaches({user: [*self._entries(user), Assignment(role, org)]}, _View(self)),
            )
        super().assign_user(user, role, org)
        self._record_breaches(report, "assign_user", actor)

    def assign_group(self, group: str, role: str, org: str | None = None, *, actor: str | None = None) -> None:
        report: list[Breach] = []
        if self._exclusions_apply() and group in self._state.groups and role in self._state.roles:
            candidates = {u: [*self._entries(u), Assignment(role, org, group)] for u in self._state.groups[group]}
            report = self._enforce("assign_group", {"group": group, "role": role, "org": org}, actor,
                          self._user_breaches(candidates, _View(self)))
        super().assign_group(group, role, org)
        self._record_breaches(report, "assign_group", actor)

    def add_group_member(self, group: str, user: str, *, actor: str | None = None) -> None:
        state = self._state
        report: list[Breach] = []
        if self._exclusions_apply() and group in state.groups and user in state.users:
            extra = [Assignment(role, org, group) for role, org in state.group_assignments.get(group, ())]
            report = self._enforce("add_group_member", {"group": group, "user": user}, actor,
                          self._user_breaches({user: [*self._entries(user), *extra]}, _View(self)))
        super().add_group_member(group, user)
        self._record_breaches(report, "add_group_member", actor)

    def add_inheritance(self, ascendant: str, descendant: str, *, actor: str | None = None) -> None:
        roles = self._state.roles
        report: list[Breach] = []
        if self._exclusions_apply() and ascendant in roles and descendant in roles:
            view = _View(self, edge=(ascendant, descendant))
            report = self._enforce("add_inheritance", {"ascendant": ascendant, "descendant": descendant}, actor,
                          self._change_breaches(view, ascendant))
        super().add_inheritance(ascendant, descendant)
        self._record_breaches(report, "add_inheritance", actor)

    def grant_permission(self, operation: str, obj: str, role: str, *, actor: str | None = None) -> None:
        report: list[Breach] = []
        if self._exclusions_apply() and role in self._state.roles and isinstance(operation, str) and \
                isinstance(obj, str) and self._names_permission((operation, obj)):
            view = _View(self, grant=((operation, obj), role))
            report = self._enforce("grant_permission", {"operation": operation, "obj": obj, "role": role}, actor,
                          self._change_breaches(view, role))
        super().grant_permission(operation, obj, role)
        self._record_breaches(report, "grant_permission", actor)

    def set_role_descends(self, role: str, descends: bool, *, actor: str | None = None) -> None:
        """Whether the role's authority reaches sub-units — with the exclusions over ``(role, org)`` and
        ``(permission, org)`` enforced on the state it would produce (review defect 2)."""
        state = self._state
        report: list[Breach] = []
        record = state.roles.get(role) if isinstance(role, str) else None
        if (self._exclusions_apply() and record is not None and isinstance(descends, bool)
                and descends != record.descends):
            view = _View(self)
            users = {u: self._entries(u) for u in users_authorized_for_any(state, self._cache, [role])}
            before = self._held_map(view, users)
            previous, record.descends = record.descends, descends
            try:
                after = self._held_map(_View(self), users)
            finally:
                record.descends = previous
            report = self._enforce("set_role_descends", {"role": role, "descends": descends}, actor,
                                   _new_breaches(before, after))
        super().set_role_descends(role, descends)
        self._record_breaches(report, "set_role_descends", actor)

    @contextmanager
    def approving(self, names: Iterable[str]) -> Iterator[None]:
        """Apply changes already approved under the ``require_approval`` rules ``names`` (a platform replaying
        its approved pending changes into a fresh engine): inside the block those rules do not park them."""
        previous = self._approving
        self._approving = previous | frozenset(names)
        try:
            yield
        finally:
            self._approving = previous

    # -- approvals (require_approval) -----------------------------------------------------------------------------
    def pending_changes(self, status: str | None = "pending") -> list[PendingChange]:
        """Changes held by ``require_approval`` exclusions (all of them when ``status`` is None)."""
        return [c for c in self._state.pending_changes.values() if status is None or c.status == status]

    def approve_change(self, change_id: int, approver: str) -> None:
        """A second administrator with authority over the change applies it (recorded with who and when).
        Other rules still hold: a ``block`` exclusion or SSD broken meanwhile refuses it, and it stays pending."""
        change = self._decidable_change(change_id, approver)
        if change.requested_by is None:  # review defect 4: the requester could be the approver
            raise ConstraintViolation(
                f"Le changement {change_id} a été demandé sans demandeur connu (actor) : rien ne prouve qu'un "
                "second administrateur l'approuve. Rejetez-le et faites-le redemander par un administrateur nommé.",
                code="approval_needs_requester", change=change_id,
            )
        self._approving = frozenset(change.exclusions)
        try:
            getattr(self, change.action)(**change.arguments)
        finally:
            self._approving = frozenset()
        change.status, change.decided_by, change.decided_at = "approved", approver, self._clock()

    def reject_change(self, change_id: int, approver: str, reason: str | None = None) -> None:
        """A second administrator with authority refuses the change (recorded with who, when and why)."""
        change = self._decidable_change(change_id, approver)
        change.status, change.decided_by, change.decided_at, change.reason = (
            "rejected", approver, self._clock(), reason)

    def reported_violations(self) -> list[ReportedViolation]:
        """Breaches allowed by ``report`` exclusions, oldest first (SUP-7 dashboards, the journal)."""
        return list(self._state.violations)

    # -- conflict detection (thesis 4.4.8: « de façon manuelle ou automatique ») ----------------------------------
    def exclusion_conflicts(self) -> list[dict[str, Any]]:
        """Every rule the current policy breaks or nearly breaks: users holding ``cardinality`` members of a
        static exclusion (broken) or one fewer (near: one more assignment breaks it; listed for cardinalities of 3
        and more, since with 2 every holder of one member would be listed), roles that unite exclusive members
        (thesis 4.5.8), live sessions breaking a dynamic exclusion, users one role away from an SSD set."""
        findings: list[dict[str, Any]] = []
        view = _View(self)
        for rule in sorted(self._state.exclusions.values(), key=lambda r: r.name):
            for breach in self._current_breaches(rule, view):
                findings.append(self._finding(breach, "broken"))
            if rule.kind == "static" and rule.cardinality > 2:
                for user in self._candidate_users(rule):
                    held = view.held_by_user(self._entries(user), rule)
                    if len(held) == rule.cardinality - 1:
                        findings.append(self._finding((rule, "user", user, held), "near"))
        for name, sod in sorted(self._state.ssd_sets.items()):
            if sod.cardinality < 3:
                continue
            for user in sorted(self._state.users):
                held_sod = ssd_members_held(self._state, self._cache, self._entries(user), sod)
                if len(held_sod) == sod.cardinality - 1:
                    findings.append({
                        "rule": name, "rule_kind": "ssd", "risk": "block", "severity": "near",
                        "subject_kind": "user", "subject": user, "cardinality": sod.cardinality,
                        "held": sorted(describe_member(m) for m in held_sod),
                        "message": f"SSD « {name} » presque enfreinte : « {user} » détient "
                                   f"{len(held_sod)} rôle(s) sur {sod.cardinality} interdits ensemble.",
                    })
        return findings

    # -- dynamic exclusions (hooks of SystemFunctions) --------------------------------------------------------------
    def _check_dynamic_exclusions(self, user: str, session: str, active: set[str]) -> None:
        rules = [r for r in self._state.exclusions.values() if r.kind == "dynamic"]
        if not rules:
            return
        view = _View(self)
        entries = self._entries(user)
        current = self._state.sessions[session].active_roles if session in self._state.sessions else set()
        breaches: list[Breach] = []
        for rule in sorted(rules, key=lambda r: r.name):
            held = view.held_by_user(entries, rule, active)
            if len(held) >= rule.cardinality and held != view.held_by_user(entries, rule, current):
                breaches.append((rule, "session", session, held))
        blocking = [b for b in breaches if b[0].risk == "block"]
        if blocking:
            raise ConstraintViolation(
                f"Activation refusée : {self._describe_breach(blocking[0])}.", code="exclusion_violation",
                name=blocking[0][0].name, session=session,
            )
        for rule, _kind, _subject, held in breaches:
            self._state.violations.append(ReportedViolation(
                rule.name, user, tuple(m.describe() for m in sorted(held, key=ExclusionMember.sort_key)),
                "activation", self._clock(), session=session))

    def _record_reported_access(self, decision: Any, session: str) -> None:
        for breach in decision.reported:
            self._state.violations.append(ReportedViolation(
                breach["exclusion"], decision.user, (breach.get("previous_operation", ""),),
                f"{decision.operation} sur {decision.obj}", self._clock(), session=session,
                details={"message": breach["message"]}))

    # -- internals ----------------------------------------------------------------------------------------------
    _approving: frozenset[str] = frozenset()
    """Names of the ``require_approval`` rules an approved change may break (set only while applying it)."""

    def _exclusions_apply(self) -> bool:
        """Whether some exclusion may still act on a change: not when there is none, nor when every one is being
        approved (`approving` all of them: a replay of the change log, whose process decided). `_enforce` drops the
        breaches of approved rules, so evaluating them — every member of a group, every holder of a profile — would
        be wasted: a fund's 3,000 memberships replayed spent a third of their time there at national scale."""
        exclusions = self._state.exclusions
        return bool(exclusions) and not self._approving.issuperset(exclusions)

    def _names_permission(self, permission: Permission) -> bool:
        """Whether some exclusion names ``permission`` as a member. A grant adds that permission alone to the
        role and its seniors — closures and other permissions do not move — so only such a rule can be newly
        broken by it; without one, the grant skips evaluating every holder of the role (10⁴ users for a
        national profile) twice."""
        return any(member.permission == permission
                   for rule in self._state.exclusions.values() for member in rule.members)

    def _static_rules(self) -> list[Exclusion]:
        return [r for r in self._state.exclusions.values() if r.kind == "static"]

    def _held_map(self, view: _View, entries_by_user: Mapping[str, list[Assignment]]) -> dict[tuple[str, str, str], tuple[Exclusion, frozenset[ExclusionMember]]]:
        """What each user holds of every static rule, and each of its live sessions of every dynamic rule."""
        state = self._state
        held: dict[tuple[str, str, str], tuple[Exclusion, frozenset[ExclusionMember]]] = {}
        for rule in sorted(state.exclusions.values(), key=lambda r: r.name):
            for user, entries in sorted(entries_by_user.items()):
                if rule.kind == "static":
                    held[(rule.name, "user", user)] = (rule, view.held_by_user(entries, rule))
                    continue
                for session_id in sorted(state.user_sessions.get(user, ())):
                    active = state.sessions[session_id].active_roles
                    held[(rule.name, "session", session_id)] = (rule, view.held_by_user(entries, rule, active))
        return held

    def _user_breaches(self, candidates: Mapping[str, list[Assignment]], view: _View) -> list[Breach]:
        """Breaches a change creates for users whose assignments become ``candidates`` — static rules on what
        they hold, dynamic rules on their live sessions (review defect 3: a session must not fall in breach)."""
        before = self._held_map(view, {user: self._entries(user) for user in candidates})
        return _new_breaches(before, self._held_map(view, candidates))

    def _change_breaches(self, after: _View, role: str) -> list[Breach]:
        """Breaches a new edge or grant below ``role`` creates, for its seniors (4.5.8), their users and the
        users' live sessions."""
        before = _View(self)
        breaches = []
        seniors = sorted(self._cache.seniors_closure(role))
        for rule in sorted(self._static_rules(), key=lambda r: r.name):
            for senior in seniors:
                held = after.held_by_role(senior, rule)
                if len(held) >= rule.cardinality and held != before.held_by_role(senior, rule):
                    breaches.append((rule, "role", senior, held))
        users = {u: self._entries(u) for u in users_authorized_for_any(self._state, self._cache, [role])}
        return breaches + _new_breaches(self._held_map(before, users), self._held_map(after, users))

    def _current_breaches(self, rule: Exclusion, view: _View | None = None) -> list[Breach]:
        view = view or _View(self)
        if rule.kind == "dynamic":
            breaches = []
            for session_id, session in sorted(self._state.sessions.items()):
                held = view.held_by_user(self._entries(session.user), rule, session.active_roles)
                if len(held) >= rule.cardinality:
                    breaches.append((rule, "session", session_id, held))
            return breaches
        breaches = [(rule, "role", role, held) for role in sorted(self._state.roles)
                    if len(held := view.held_by_role(role, rule)) >= rule.cardinality]
        breaches += [(rule, "user", user, held) for user in self._candidate_users(rule)
                     if len(held := view.held_by_user(self._entries(user), rule)) >= rule.cardinality]
        return breaches

    def _candidate_users(self, rule: Exclusion) -> list[str]:
        """Users who may hold a member of ``rule``: those authorized for a member role or for a role granting
        a member permission — not the whole directory (conflict reports run at national scale)."""
        state = self._state
        roles = {m.role for m in rule.members if m.role is not None}
        permissions = {m.permission for m in rule.members if m.permission is not None}
        if permissions:
            roles |= {role for role, perms in state.role_permissions.items() if not perms.isdisjoint(permissions)}
        return sorted(users_authorized_for_any(state, self._cache, roles))

    def _enforce(self, action: str, arguments: dict[str, Any], actor: str | None,
                 breaches: list[Breach]) -> list[Breach]:
        """Refuse, park or let through a change according to the risk of the rules it breaks; returns the
        breaches to record once the change has succeeded."""
        breaches = [b for b in breaches if b[0].name not in self._approving]
        if not breaches:
            return []
        blocking = [b for b in breaches if b[0].risk == "block"]
        if blocking:
            raise ConstraintViolation(
                f"Changement refusé : {self._describe_breach(blocking[0])}.", code="exclusion_violation",
                name=blocking[0][0].name, action=action,
            )
        approval = [b for b in breaches if b[0].risk == "require_approval"]
        if approval:
            pending = self._state.pending_changes
            change = PendingChange(
                id=max(pending, default=0) + 1, action=action, arguments=dict(arguments),
                exclusions=tuple(sorted({b[0].name for b in approval})), requested_by=actor,
                requested_at=self._clock(),
                message=f"Changement en attente d'approbation par un second administrateur : "
                        f"{self._describe_breach(approval[0])}.",
            )
            pending[change.id] = change
            raise ApprovalRequired(change)
        return [b for b in breaches if b[0].risk == "report"]

    def _record_breaches(self, breaches: list[Breach], action: str, actor: str | None) -> None:
        """Record the ``report`` breaches of a change that has just succeeded."""
        for rule, kind, subject, held in breaches:
            session = subject if kind == "session" else None
            who = self._state.sessions[subject].user if session and subject in self._state.sessions else subject
            self._state.violations.append(ReportedViolation(
                rule.name, who, tuple(m.describe() for m in sorted(held, key=ExclusionMember.sort_key)),
                action, self._clock(), actor=actor, session=session))

    def _decidable_change(self, change_id: Any, approver: str) -> PendingChange:
        change = self._state.pending_changes.get(change_id)
        if change is None:
            raise NotFound(f"Changement en attente inconnu : « {change_id} ».", code="pending_change_not_found")
        if change.status != "pending":
            raise ConstraintViolation(f"Le changement {change_id} a déjà été {change.status}.",
                                      code="pending_change_decided")
        self._user(approver, "user")
        if approver == change.requested_by:
            raise ConstraintViolation(
                f"« {approver} » a demandé ce changement et ne peut pas l'approuver lui-même : un second "
                "administrateur doit décider.", code="same_administrator", change=change_id,
            )
        if approver in self._beneficiaries(change):
            raise ConstraintViolation(
                f"« {approver} » bénéficie de ce changement et ne peut pas l'approuver : un administrateur qui n'en "
                "bénéficie pas doit décider.", code="beneficiary_approval", change=change_id,
            )
        decision = self._authority_for_change(approver, change.action, change.arguments)
        if not decision:
            raise ConstraintViolation(f"« {approver} » n'a pas autorité sur ce changement : {decision.message}",
                                      code="not_administrator", change=change_id)
        return change

    def _beneficiaries(self, change: PendingChange) -> set[str]:
        """Who would hold more once the change applies: the user assigned or added to a group, the members of a
        group given a role, the users authorized for a role that gains a permission, a junior or wider reach."""
        arguments = change.arguments
        state = self._state
        if change.action in ("assign_user", "add_group_member"):
            return {arguments["user"]}
        if change.action == "assign_group":
            return set(state.groups.get(arguments["group"], ()))
        role = arguments.get("role") or arguments.get("ascendant")
        return users_authorized_for_any(state, self._cache, [role]) if role else set()

    def _authority_for_change(self, approver: str, action: str, arguments: dict[str, Any]) -> Any:
        """Hook: whether ``approver`` has authority over the change; provided by `DelegatedAdministration`."""
        raise NotImplementedError

    def _finding(self, breach: Breach, severity: str) -> dict[str, Any]:
        rule, kind, subject, held = breach
        state = "enfreinte" if severity == "broken" else "presque enfreinte"
        return {
            "rule": rule.name, "rule_kind": "exclusion", "risk": rule.risk, "severity": severity,
            "subject_kind": kind, "subject": subject, "cardinality": rule.cardinality,
            "held": [m.describe() for m in sorted(held, key=ExclusionMember.sort_key)],
            "message": f"Exclusion « {rule.name} » ({RISK_LABELS[rule.risk]}) {state} : "
                       + self._describe_breach(breach, with_rule=False),
        }

    @staticmethod
    def _describe_breach(breach: Breach, with_rule: bool = True) -> str:
        rule, kind, subject, held = breach
        who = {"user": f"l'utilisateur « {subject} »", "role": f"le rôle « {subject} »",
               "session": f"la session « {subject} »"}[kind]
        prefix = f"exclusion « {rule.name} » ({RISK_LABELS[rule.risk]}) — " if with_rule else ""
        return (f"{prefix}{who} réunirait {len(held)} membre(s) exclusifs ({rule.describe_held(held)}), "
                f"le maximum est {rule.cardinality - 1}")

    def _exclusion(self, name: Any) -> Exclusion:
        require_name(name, "name")
        rule = self._state.exclusions.get(name)
        if rule is None:
            raise NotFound(f"Exclusion inconnue : « {name} ».", code="exclusion_not_found", name=name)
        return rule

    def _exclusion_member(self, value: Any) -> ExclusionMember:
        member = ExclusionMember.parse(value)
        if member.role is not None:
            self._role(member.role)
        else:
            self._known_permission_for_rule(member.permission)
        self._org(member.org)
        return member

    def _known_permission_for_rule(self, permission: Any) -> None:
        operation, obj = permission
        require_name(operation, "operation")
        require_name(obj, "obj")

    # -- rules follow deletions ---------------------------------------------------------------------------------
    def delete_role(self, role: str) -> None:
        super().delete_role(role)
        self._drop_members(lambda m: m.role == role)

    def delete_org(self, org: str) -> None:
        super().delete_org(org)
        self._drop_members(lambda m: m.org == org)

    def _drop_members(self, matches: Callable[[ExclusionMember], bool]) -> None:
        for name, rule in list(self._state.exclusions.items()):
            kept = frozenset(m for m in rule.members if not matches(m))
            if kept != rule.members:
                self._state.exclusions[name] = Exclusion(name, kept, rule.cardinality, rule.kind, rule.risk)


def _new_breaches(before: Mapping[tuple[str, str, str], tuple[Exclusion, frozenset[ExclusionMember]]],
                  after: Mapping[tuple[str, str, str], tuple[Exclusion, frozenset[ExclusionMember]]]) -> list[Breach]:
    """The rules broken in ``after`` that were not broken the same way in ``before``."""
    breaches: list[Breach] = []
    for key, (rule, held) in sorted(after.items()):
        previous = before.get(key)
        if len(held) >= rule.cardinality and (previous is None or held != previous[1]):
            breaches.append((rule, key[1], key[2], held))
    return breaches
