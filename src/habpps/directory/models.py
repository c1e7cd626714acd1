"""What the directory stores: the network (funds, partners, groups), the service catalogue and doctrine, who
holds which role, and the policy version every process compares against (ENG-11).

Nothing here is ever deleted: suspension and removal are statuses, and memberships and role assignments end
with a date rather than disappear, so that the journal and the dashboards keep pointing at real rows (ADM-6).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habpps.authorization.models import AccessWindow
from habpps.directory.validators import normalize_siret, validate_siret

slug_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]*$",
    _("Uniquement des minuscules non accentuées, des chiffres et des tirets."),
)
role_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9-]*$",
    _("Uniquement des lettres non accentuées, des chiffres et des tirets."),
)


class Status(models.TextChoices):
    """Life cycle shared by every organisation and catalogue entry (ADM-6)."""

    ACTIVE = "active", _("Actif")
    SUSPENDED = "suspended", _("Suspendu")
    REMOVED = "removed", _("Supprimé")


class LifecycleModel(models.Model):
    """A row that is suspended or removed instead of deleted."""

    status = models.CharField(_("statut"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_changed_at = models.DateTimeField(_("statut modifié le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    @property
    def is_in_force(self) -> bool:
        """Active itself and inside an active parent; overridden where there is a parent."""
        return self.status == Status.ACTIVE

    @property
    def is_removed(self) -> bool:
        return self.status == Status.REMOVED


class Fund(LifecycleModel):
    """A local fund (Caf) of the network."""

    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        validators=[
            RegexValidator(r"^[0-9]{3}[0-9A-Z]?$", _("Le code d'une caisse s'écrit sur 3 chiffres."))
        ],
        help_text=_("Numéro de la caisse, par exemple 751."),
    )
    name = models.CharField(_("nom"), max_length=200, unique=True)
    department = models.CharField(_("département"), max_length=3, blank=True)

    class Meta:
        verbose_name = _("caisse")
        verbose_name_plural = _("caisses")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Service(LifecycleModel):
    """An application of the portal reached through access profiles (e.g. CDAP), or Habpps itself."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[slug_validator])
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_administrative = models.BooleanField(
        _("service d'administration"),
        default=False,
        help_text=_("Les rôles d'administration de Habpps ; ils ne figurent pas dans les conventions."),
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["is_administrative", "name"]

    def __str__(self) -> str:
        return self.name


class ServiceRole(LifecycleModel):
    """An access profile of a service — an RBAC role of the engine named by its code."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="roles"
    )
    code = models.CharField(
        _("code"),
        max_length=60,
        unique=True,
        validators=[role_code_validator],
        help_text=_("Nom du rôle dans le moteur d'habilitation."),
    )
    name = models.CharField(_("libellé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    account_level = models.CharField(
        _("attribuable aux comptes de niveau"),
        max_length=16,
        blank=True,
        choices=[("national", _("Organisme national")), ("fund", _("Caisse")), ("partner", _("Partenaire"))],
        help_text=_("Vide pour un profil d'accès, attribué aux groupes des partenaires."),
    )

    class Meta:
        verbose_name = _("profil d'accès")
        verbose_name_plural = _("profils d'accès")
        ordering = ["service__name", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_in_force(self) -> bool:
        return self.status == Status.ACTIVE and self.service.status == Status.ACTIVE


class RolePermission(models.Model):
    """A permission — an operation on an object — held by a profile (ENG-1)."""

    role = models.ForeignKey(
        ServiceRole, verbose_name=_("profil"), on_delete=models.CASCADE, related_name="permissions"
    )
    operation = models.CharField(_("opération"), max_length=60, validators=[slug_validator])
    obj = models.CharField(_("objet"), max_length=120)

    class Meta:
        verbose_name = _("permission")
        verbose_name_plural = _("permissions")
        ordering = ["obj", "operation"]
        constraints = [
            models.UniqueConstraint(fields=["role", "operation", "obj"], name="role_permission_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.obj}"


class PartnerType(LifecycleModel):
    """A kind of partner organisation; the doctrine says which profiles each kind may receive (ADM-3)."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[slug_validator])
    name = models.CharField(_("libellé"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    allowed_roles = models.ManyToManyField(
        ServiceRole,
        verbose_name=_("profils autorisés par la doctrine"),
        through="DoctrineRule",
        related_name="partner_types",
        blank=True,
    )

    class Meta:
        verbose_name = _("type de partenaire")
        verbose_name_plural = _("types de partenaires")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DoctrineRule(models.Model):
    """The national doctrine: partners of this type may receive this profile (ADM-1, CNV-1)."""

    partner_type = models.ForeignKey(PartnerType, on_delete=models.CASCADE, related_name="doctrine_rules")
    role = models.ForeignKey(ServiceRole, on_delete=models.CASCADE, related_name="doctrine_rules")

    class Meta:
        verbose_name = _("règle de doctrine")
        verbose_name_plural = _("doctrine nationale")
        constraints = [models.UniqueConstraint(fields=["partner_type", "role"], name="doctrine_rule_unique")]

    def __str__(self) -> str:
        return f"{self.partner_type} → {self.role}"


class PersonKind(models.TextChoices):
    """The slides foresee natural persons (private landlords) as partners later: nothing assumes a company."""

    LEGAL = "legal", _("Personne morale")
    NATURAL = "natural", _("Personne physique")


class Partner(LifecycleModel):
    """A partner organisation of one fund, with its identity (ADM-3)."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("caisse"), on_delete=models.PROTECT, related_name="partners"
    )
    name = models.CharField(_("raison sociale"), max_length=200)
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        validators=[validate_siret],
        help_text=_("14 chiffres ; la clé de contrôle est vérifiée."),
    )
    partner_type = models.ForeignKey(
        PartnerType, verbose_name=_("type de partenaire"), on_delete=models.PROTECT, related_name="partners"
    )
    person_kind = models.CharField(
        _("nature"), max_length=16, choices=PersonKind.choices, default=PersonKind.LEGAL
    )
    street = models.CharField(_("adresse"), max_length=200)
    postal_code = models.CharField(
        _("code postal"),
        max_length=5,
        validators=[RegexValidator(r"^[0-9]{5}$", _("Le code postal comporte 5 chiffres."))],
    )
    city = models.CharField(_("commune"), max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("organisme partenaire")
        verbose_name_plural = _("organismes partenaires")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "siret"],
                condition=~Q(status="removed"),
                name="partner_siret_unique_per_fund",
                violation_error_message=_("Un organisme partenaire de cette caisse porte déjà ce SIRET."),
            ),
        ]
        indexes = [models.Index(fields=["fund", "status"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.siret = normalize_siret(self.siret or "")

    @property
    def is_in_force(self) -> bool:
        return self.status == Status.ACTIVE and self.fund.status == Status.ACTIVE


class Group(LifecycleModel):
    """A group of a partner's accounts; habilitations are given to groups (ENG-4)."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("organisme partenaire"), on_delete=models.PROTECT, related_name="groups"
    )
    name = models.CharField(_("nom"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("groupe")
        verbose_name_plural = _("groupes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "name"],
                condition=~Q(status="removed"),
                name="group_name_unique_per_partner",
                violation_error_message=_("Cet organisme a déjà un groupe de ce nom."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_in_force(self) -> bool:
        return self.status == Status.ACTIVE and self.partner.is_in_force


class PeriodQuerySet(models.QuerySet):
    def current(self) -> PeriodQuerySet:
        return self.filter(ended_at__isnull=True)


class Period(models.Model):
    """Something held from a date until, perhaps, another: ended, never deleted."""

    started_at = models.DateTimeField(_("depuis le"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("jusqu'au"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = PeriodQuerySet.as_manager()

    class Meta:
        abstract = True


class GroupMembership(Period):
    """An account's membership of a group of its partner."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="memberships")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )

    class Meta:
        verbose_name = _("appartenance à un groupe")
        verbose_name_plural = _("appartenances aux groupes")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "account"],
                condition=Q(ended_at__isnull=True),
                name="membership_current_unique",
            ),
        ]


class GroupRoleAssignment(AccessWindow, Period):
    """A profile given to a group: its members hold it in their partner's unit (ENG-3, ENG-4)."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.ForeignKey(ServiceRole, on_delete=models.PROTECT, related_name="group_assignments")

    class Meta:
        verbose_name = _("profil d'un groupe")
        verbose_name_plural = _("profils des groupes")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "role"], condition=Q(ended_at__isnull=True), name="group_role_current_unique"
            ),
        ]


class AccountRoleAssignment(AccessWindow, Period):
    """A role held by an account itself, in its own organisation's unit (administrative roles, ENG-12)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments"
    )
    role = models.ForeignKey(ServiceRole, on_delete=models.PROTECT, related_name="account_assignments")

    class Meta:
        verbose_name = _("rôle d'un compte")
        verbose_name_plural = _("rôles des comptes")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "role"],
                condition=Q(ended_at__isnull=True),
                name="account_role_current_unique",
            ),
        ]


class PolicyVersion(models.Model):
    """The one-row counter every administrative change increments in its own transaction (ENG-11).

    Processes compare it with the version their compiled snapshot was built from; reading it is the only query
    the decision path ever makes, at most once per probe period.
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    number = models.BigIntegerField(_("version"), default=0)
    # A fresh random token per change: a snapshot built from a transaction that was later rolled back can never
    # be mistaken for the committed version that reuses its number.
    token = models.CharField(_("jeton"), max_length=32, default="initial")
    changed_at = models.DateTimeField(_("modifiée le"), default=timezone.now)

    class Meta:
        verbose_name = _("version de la politique")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="policy_version_singleton")]

    def __str__(self) -> str:
        return f"v{self.number}"


class PolicyChange(models.Model):
    """The change log of the policy (ENG-11): one row per committed version, append-only, keyed by its number.

    ``calls`` are the engine calls the change implies (``["assign_group", "group:7", "cdap-ass-cesf",
    "partner:3"]``…), written in the transaction that bumps the version: a process at version N replays the rows
    after N instead of rebuilding the policy from the directory. ``rebuild`` marks a change that cannot be told as
    calls (every process then rebuilds). Old rows may be pruned; a process that finds a gap rebuilds.
    """

    number = models.BigIntegerField(_("version"), primary_key=True)
    token = models.CharField(_("jeton"), max_length=32)
    calls = models.JSONField(_("appels du moteur"), default=list)
    rebuild = models.BooleanField(_("reconstruction complète"), default=False)
    committed_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    class Meta:
        verbose_name = _("changement de la politique")
        verbose_name_plural = _("journal des changements de la politique")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"v{self.number} ({len(self.calls)} appels)"


class PolicyTouch(models.Model):
    """What a transaction changed in the rows the engine policy is derived from, written by database triggers.

    The triggers (migration 0003) record the account, group, role, fund, partner or service whose engine facts
    may have moved, whatever wrote the row (a service, a queryset ``update``, a ``bulk_create``); the change that
    commits them consumes the rows and reconciles those entities only (``policy_delta``).
    """

    kind = models.CharField(max_length=16)
    entity_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("entité modifiée")
        indexes = [models.Index(fields=["kind", "entity_id"])]


class ProfileOpening(models.Model):
    """The national deployment of services (ADM-1): from which date an access profile is open in a fund.

    A row without fund is the national calendar of the profile, a row with a fund overrides it in that fund (an
    early pilot fund, a fund that opens later). ``opens_on`` empty means not scheduled: closed. A profile without
    any row is not under a calendar and is open everywhere. A profile not yet open in a fund cannot be granted
    there; groups that already hold it keep it (as for the doctrine).
    """

    role = models.ForeignKey(
        ServiceRole, verbose_name=_("profil"), on_delete=models.PROTECT, related_name="openings"
    )
    fund = models.ForeignKey(
        Fund,
        verbose_name=_("caisse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profile_openings",
        help_text=_("Vide : calendrier national, valable dans toute caisse sans date propre."),
    )
    opens_on = models.DateField(
        _("ouvert à partir du"), null=True, blank=True, help_text=_("Vide : pas encore programmé (fermé).")
    )
    changed_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ouverture d'un profil")
        verbose_name_plural = _("déploiement des services")
        ordering = ["role__service__name", "role__name", "fund__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "fund"], name="profile_opening_per_fund", condition=Q(fund__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["role"], name="profile_opening_national", condition=Q(fund__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        where = self.fund or _("national")
        return f"{self.role} — {where} — {self.opens_on or '—'}"
