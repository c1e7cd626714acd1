"""Tables of the role hierarchy, separation of duty, risk-graded exclusions and cardinalities (ENG-2, 3, 6, 7).

Each row is a fact the policy build replays into the engine (``model_build``) and the change log reconciles
(``model_delta``); the engine decides whether a fact may be added (a cycle, a broken set or a rule already
broken is refused with its explanation). Approvals and reported violations are the platform's persistent
records of what a ``require_approval`` or ``report`` exclusion did to a change.

Org units are stored as the engine names them (``national``, ``fund:7``, ``partner:42``; empty: everywhere):
units are named from primary keys, which never change (``habpps.authorization.orgs``). Profiles and accounts
are the directory's and the accounts app's rows, referred to by label (this app sits below them).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoleInheritance(models.Model):
    """An immediate inheritance edge (ENG-2): the senior profile holds everything the junior holds."""

    senior = models.ForeignKey(
        "directory.ServiceRole", verbose_name=_("rôle supérieur"), on_delete=models.PROTECT, related_name="junior_links"
    )
    junior = models.ForeignKey(
        "directory.ServiceRole", verbose_name=_("rôle hérité"), on_delete=models.PROTECT, related_name="senior_links"
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("héritage entre rôles")
        verbose_name_plural = _("hiérarchie des rôles")
        ordering = ["senior__name", "junior__name"]
        constraints = [models.UniqueConstraint(fields=["senior", "junior"], name="role_inheritance_unique")]

    def __str__(self) -> str:
        return f"{self.senior} → {self.junior}"


class RoleRule(models.Model):
    """A profile's engine properties: whether its authority reaches sub-units (ENG-3) and its user limit (ENG-6).

    A profile without a row descends and has no limit (the engine's defaults)."""

    role = models.OneToOneField("directory.ServiceRole", on_delete=models.CASCADE, related_name="engine_rule")
    descends = models.BooleanField(
        _("s'étend aux unités inférieures"),
        default=True,
        help_text=_("Décoché : le rôle ne vaut que dans l'unité où il est attribué, pas dans ses sous-unités."),
    )
    max_users = models.PositiveIntegerField(
        _("nombre maximal de titulaires"), null=True, blank=True, help_text=_("Vide : pas de limite.")
    )
    changed_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("règle d'un rôle")
        verbose_name_plural = _("règles des rôles")

    def __str__(self) -> str:
        return str(self.role)


class AccountLimit(models.Model):
    """An account's cardinalities (ENG-6): the most roles it may hold, the most sessions it may have open at once.

    No row or an empty field: no role limit, and the platform's session rule (AUT-6: one session at a time,
    the authentication policy saying whether a second login is refused or ends the first). A figure for
    ``max_sessions`` replaces that rule for the account: the engine counts its live sessions at login."""

    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_limit")
    max_roles = models.PositiveIntegerField(_("nombre maximal de rôles"), null=True, blank=True)
    max_sessions = models.PositiveIntegerField(
        _("nombre maximal de sessions ouvertes en même temps"), null=True, blank=True,
        help_text=_("Vide : la règle de la plateforme (une seule session à la fois)."),
    )
    changed_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    class Meta:
        verbose_name = _("limites d'un compte")
        verbose_name_plural = _("limites des comptes")


class SeparationKind(models.TextChoices):
    STATIC = "ssd", _("Séparation statique (à l'attribution)")
    DYNAMIC = "dsd", _("Séparation dynamique (à l'activation)")


class SeparationSet(models.Model):
    """An SSD or DSD set (ENG-2): nobody holds ``cardinality`` or more of its members (statically: among the
    roles they are authorized for; dynamically: in one session)."""

    kind = models.CharField(_("type"), max_length=3, choices=SeparationKind.choices)
    name = models.CharField(_("nom"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    cardinality = models.PositiveSmallIntegerField(
        _("cardinalité"), default=2, help_text=_("Nombre de membres qu'on ne peut pas détenir ensemble (2 ou plus).")
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ensemble de séparation des tâches")
        verbose_name_plural = _("ensembles de séparation des tâches")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="separation_set_unique")]

    def __str__(self) -> str:
        return self.name


class SeparationMember(models.Model):
    """A member of a set: a role, or a (role, unit) pair."""

    sod_set = models.ForeignKey(SeparationSet, on_delete=models.CASCADE, related_name="members")
    role = models.ForeignKey("directory.ServiceRole", verbose_name=_("rôle"), on_delete=models.PROTECT, related_name="+")
    org = models.CharField(_("unité"), max_length=40, blank=True, help_text=_("Vide : partout."))

    class Meta:
        verbose_name = _("membre d'un ensemble de séparation")
        constraints = [
            models.UniqueConstraint(fields=["sod_set", "role", "org"], name="separation_member_unique")
        ]


class ExclusionKind(models.TextChoices):
    STATIC = "static", _("À l'attribution")
    DYNAMIC = "dynamic", _("À l'activation dans une session")


class Risk(models.TextChoices):
    BLOCK = "block", _("Bloquer le changement")
    REQUIRE_APPROVAL = "require_approval", _("Soumettre à l'approbation d'un second administrateur")
    REPORT = "report", _("Autoriser et signaler")


class Exclusion(models.Model):
    """A risk-graded exclusion (ENG-7): nobody holds ``cardinality`` or more of its members; its risk says what
    a change that breaks it does — refused, held for approval, or allowed and reported."""

    name = models.CharField(_("nom"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("moment du contrôle"), max_length=8, choices=ExclusionKind.choices,
                            default=ExclusionKind.STATIC)
    risk = models.CharField(_("conduite à tenir"), max_length=20, choices=Risk.choices, default=Risk.BLOCK)
    cardinality = models.PositiveSmallIntegerField(_("cardinalité"), default=2)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ExclusionMember(models.Model):
    """A member of an exclusion: a role or a permission (operation on an object), anywhere or in one unit."""

    exclusion = models.ForeignKey(Exclusion, on_delete=models.CASCADE, related_name="members")
    role = models.ForeignKey(
        "directory.ServiceRole", verbose_name=_("rôle"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    operation = models.CharField(_("opération"), max_length=60, blank=True)
    obj = models.CharField(_("objet"), max_length=120, blank=True)
    org = models.CharField(_("unité"), max_length=40, blank=True, help_text=_("Vide : partout."))

    class Meta:
        verbose_name = _("membre d'une exclusion")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role__isnull=False, operation="", obj="")
                           | Q(role__isnull=True) & ~Q(operation="") & ~Q(obj="")),
                name="exclusion_member_role_or_permission",
            ),
        ]


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    APPROVED = "approved", _("Approuvée")
    REJECTED = "rejected", _("Refusée")
    EXPIRED = "expired", _("Expirée")


class PendingApproval(models.Model):
    """A change held by a ``require_approval`` exclusion (ENG-7), waiting for a second administrator.

    The change is described by what is needed to make it again (``action`` and its rows); nothing of it exists
    until an administrator who is neither the requester nor the beneficiary approves it, before ``expires_at``.
    """

    action = models.CharField(_("changement"), max_length=40)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("bénéficiaire"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    role = models.ForeignKey(
        "directory.ServiceRole", verbose_name=_("rôle"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        "directory.Group", verbose_name=_("groupe"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    org_scope = models.CharField(_("périmètre"), max_length=120, blank=True)
    org = models.CharField(_("unité"), max_length=40, blank=True)
    exclusions = models.JSONField(_("exclusions"), default=list)
    arguments = models.JSONField(_("paramètres du changement"), default=dict, blank=True)
    """What else a change to the model needs to be made again: the junior role of an inheritance edge, a role's
    ``descends`` and user limit, a profile's permissions."""
    window = models.JSONField(_("période d'accès demandée"), default=dict, blank=True)
    """The time window the requester gave the grant (ENG-5), kept for when it is approved (``Window.as_json``)."""
    message = models.TextField(_("explication du moteur"))
    status = models.CharField(_("statut"), max_length=10, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandé par"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("décidé par"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    reason = models.TextField(_("motif"), blank=True)

    class Meta:
        verbose_name = _("changement à approuver")
        verbose_name_plural = _("changements à approuver")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.get_status_display()}"

    ACTION_LABELS = {
        "assign_user": _("Attribution d'un rôle à un compte"),
        "assign_group": _("Attribution d'un profil à un groupe"),
        "add_group_member": _("Ajout d'un membre à un groupe"),
        "add_inheritance": _("Héritage entre deux rôles"),
        "set_role_descends": _("Portée d'un rôle aux unités inférieures"),
        "set_role_permissions": _("Permissions d'un profil"),
    }

    def get_action_display(self) -> str:
        return str(self.ACTION_LABELS.get(self.action, self.action))

    @property
    def access_window(self):
        from habpps.authorization.access_windows import Window

        return Window.from_json(self.window)

    @property
    def is_expired(self) -> bool:
        return self.status == ApprovalStatus.PENDING and self.expires_at <= timezone.now()

    @property
    def effective_status(self) -> str:
        return ApprovalStatus.EXPIRED if self.is_expired else self.status


class ReportedViolation(models.Model):
    """A change a ``report`` exclusion let through (ENG-7), kept for the least-privilege dashboard (SUP-7)."""

    exclusion = models.CharField(_("exclusion"), max_length=120)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("compte"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    subject = models.CharField(_("concerné"), max_length=150)
    held = models.JSONField(_("membres réunis"), default=list)
    action = models.CharField(_("changement"), max_length=40)
    org_scope = models.CharField(_("périmètre"), max_length=120, blank=True)
    at = models.DateTimeField(_("le"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("par"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("pris en compte le"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pris en compte par"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("infraction signalée")
        verbose_name_plural = _("infractions signalées")
        ordering = ["-at"]
