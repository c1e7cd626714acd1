"""Tables of the extended RBAC model (ENG-2..8, ENG-12) replayed into the engine by the policy build."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habpps.authorization import clock
from habpps.authorization.access_windows import Window

ServiceRole = "directory.ServiceRole"


class AccessWindow(models.Model):
    """When a granted profile may be used (ENG-5 temporal): validity dates, a daily window, weekdays.

    Whoever grants the profile may bound it; the engine evaluates the bounds at every decision, so access stops
    by itself at the end without any job (``habpps.authorization.access_windows`` turns these columns into the
    engine's temporal constraint). ``expiry_notice_sent_on`` records the warning mail sent before the end.
    """

    valid_from = models.DateField(_("accès à partir du"), null=True, blank=True)
    valid_until = models.DateField(_("accès jusqu'au"), null=True, blank=True)
    daily_from = models.TimeField(_("chaque jour de"), null=True, blank=True)
    daily_until = models.TimeField(_("chaque jour jusqu'à"), null=True, blank=True)
    weekdays = models.CharField(
        _("jours de la semaine"), max_length=7, blank=True, help_text=_("Chiffres de 1 (lundi) à 7 (dimanche).")
    )
    expiry_notice_sent_on = models.DateField(_("préavis de fin envoyé le"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def access_window(self) -> Window:
        return Window.of(self)

    @property
    def access_state(self) -> str:
        """« à venir », « en cours » or « terminé » today (platform clock, local date)."""
        return self.access_window.state_on(timezone.localdate(clock.now()))


class Changed(models.Model):
    """Who last changed a rule, and when (the journal keeps the before/after)."""

    changed_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True


# -- contextual constraints (ENG-5) ---------------------------------------------------------------------------------
CONTEXT_FUNCTIONS = [
    ("current_time", _("heure de la demande")),
    ("weekday", _("jour de la semaine de la demande (1 = lundi)")),
    ("current_date", _("date de la demande")),
    ("current_datetime", _("date et heure de la demande")),
    ("client_ip", _("adresse du poste qui fait la demande")),
    ("subject_attribute", _("attribut de la personne qui demande")),
    ("object_attribute", _("attribut de l'objet demandé")),
    ("context_value", _("valeur transmise avec la demande")),
]
CONTEXT_DOMAINS = [
    ("", _("selon la source")),
    ("bool", _("oui / non")),
    ("int", _("nombre entier")),
    ("decimal", _("nombre décimal")),
    ("string", _("texte")),
    ("date", _("date")),
    ("time", _("heure")),
    ("datetime", _("date et heure")),
    ("ip_address", _("adresse IP")),
    ("ip_network", _("réseau IP")),
    ("set", _("ensemble de textes")),
]


class ContextAttribute(Changed):
    """A typed property of the request the engine reads (the hour, the client's address…), named in French
    because the engine's explanations quote its name."""

    name = models.CharField(
        _("nom"), max_length=60, unique=True, help_text=_("En clair, ex. « heure » ou « poste de travail ».")
    )
    function = models.CharField(_("source"), max_length=32, choices=CONTEXT_FUNCTIONS)
    domain = models.CharField(_("type"), max_length=16, choices=CONTEXT_DOMAINS, blank=True)
    parameter = models.CharField(
        _("nom de la valeur lue"), max_length=60, blank=True,
        help_text=_("Pour un attribut de la personne, de l'objet ou une valeur transmise : son nom."),
    )

    class Meta:
        verbose_name = _("attribut de contexte")
        verbose_name_plural = _("attributs de contexte")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContextConstraint(Changed):
    """A named set of conditions that must all hold (e.g. « heures ouvrées » : heure entre 07:00 et 20:00 and jour
    parmi 1..5). ``conditions`` is the engine's document form: ``[{"operator": …, "operands": […]}]``."""

    name = models.CharField(_("nom"), max_length=120, unique=True, help_text=_("En clair : il figure dans les refus."))
    conditions = models.JSONField(_("conditions"), default=list)

    class Meta:
        verbose_name = _("contrainte contextuelle")
        verbose_name_plural = _("contraintes contextuelles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PermissionConstraint(Changed):
    """A permission — an operation on an object — granted only while a contextual constraint holds."""

    operation = models.CharField(_("opération"), max_length=60)
    obj = models.CharField(_("objet"), max_length=120)
    constraint = models.ForeignKey(
        ContextConstraint, verbose_name=_("contrainte"), on_delete=models.PROTECT, related_name="permissions"
    )

    class Meta:
        verbose_name = _("condition d'une permission")
        verbose_name_plural = _("conditions des permissions")
        ordering = ["obj", "operation", "constraint__name"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "obj", "constraint"], name="permission_constraint_unique")
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.obj} si « {self.constraint} »"


class GrantConstraint(Changed):
    """One profile's grant of a permission, valid only while a contextual constraint holds (AuthZEN's
    ``grant_constraints``): unlike `PermissionConstraint`, other profiles holding the same permission are not
    bound. Stored from policy documents; the engine evaluates it at every decision."""

    role = models.ForeignKey(
        ServiceRole, verbose_name=_("profil"), on_delete=models.PROTECT, related_name="grant_constraints"
    )
    operation = models.CharField(_("opération"), max_length=60)
    obj = models.CharField(_("objet"), max_length=120)
    constraint = models.ForeignKey(
        ContextConstraint, verbose_name=_("contrainte"), on_delete=models.CASCADE, related_name="grants"
    )

    class Meta:
        verbose_name = _("condition de la permission d'un profil")
        verbose_name_plural = _("conditions des permissions des profils")
        ordering = ["role__code", "obj", "operation", "constraint__name"]
        constraints = [
            models.UniqueConstraint(fields=["role", "operation", "obj", "constraint"], name="grant_constraint_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role} : {self.operation} {self.obj} si « {self.constraint} »"


class ActivationConstraint(Changed):
    """A profile that may be activated in a session only while a contextual constraint holds in the context of
    the activation (ENG-5; thesis 4.5.9: constraints on activation, the policy section ``activation_constraints``)
    — e.g. only from the fund's network, only by day. Checked by the engine when a web login opens the session,
    when the role switcher activates a role and for a decision's ``active_roles``."""

    role = models.ForeignKey(
        ServiceRole, verbose_name=_("profil"), on_delete=models.PROTECT, related_name="activation_constraints"
    )
    constraint = models.ForeignKey(
        ContextConstraint, verbose_name=_("contrainte"), on_delete=models.CASCADE, related_name="activations"
    )

    class Meta:
        verbose_name = _("condition d'activation d'un profil")
        verbose_name_plural = _("conditions d'activation des profils")
        ordering = ["role__code", "constraint__name"]
        constraints = [
            models.UniqueConstraint(fields=["role", "constraint"], name="activation_constraint_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role} : activable si « {self.constraint} »"


class AccountAttributes(Changed):
    """Attributes of an account that conditions read as the subject's (grade, service…; AuthZEN's
    ``user_attributes``): the policy's own information point, over those a request carries."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("compte"), on_delete=models.CASCADE,
        related_name="policy_attributes_row",
    )
    attributes = models.JSONField(_("attributs"), default=dict)

    class Meta:
        verbose_name = _("attributs d'un compte")
        verbose_name_plural = _("attributs des comptes")

    def __str__(self) -> str:
        return f"{self.account}"


# -- data scoping and action limits (ENG-8) -------------------------------------------------------------------------
POPULATION_KINDS = [
    ("all", _("tous les enregistrements")),
    ("org_subtree", _("son organisme et ceux qui en dépendent")),
    ("org_unit", _("son organisme seulement")),
    ("own_file", _("son propre dossier")),
    ("explicit", _("une liste de valeurs")),
]
FIELD_ACCESS = [("forbidden", _("interdit")), ("read", _("lecture")), ("write", _("écriture"))]


class PopulationRule(Changed):
    """Which records of a resource a profile's holders see (HR Access's populations, thesis 3.2.1): all, their
    organisation and below, their own file, or a list of values of a field."""

    role = models.ForeignKey(
        ServiceRole, verbose_name=_("profil"), on_delete=models.PROTECT, related_name="population_rules"
    )
    resource = models.CharField(_("données"), max_length=60)
    name = models.CharField(_("nom"), max_length=80)
    kind = models.CharField(_("population"), max_length=16, choices=POPULATION_KINDS)
    field = models.CharField(_("champ filtré"), max_length=60, blank=True)
    values = models.JSONField(_("valeurs"), default=list, blank=True)
    attribute = models.CharField(_("attribut de la personne"), max_length=60, blank=True)
    is_default = models.BooleanField(_("population par défaut"), default=False)

    class Meta:
        verbose_name = _("population d'un profil")
        verbose_name_plural = _("populations des profils")
        ordering = ["role__name", "resource", "name"]
        constraints = [models.UniqueConstraint(fields=["role", "resource", "name"], name="population_rule_unique")]

    def __str__(self) -> str:
        return f"{self.role} — {self.resource} — {self.name}"


class FieldRule(Changed):
    """A profile's access to one field of a resource, always or while a contextual constraint holds."""

    role = models.ForeignKey(ServiceRole, verbose_name=_("profil"), on_delete=models.PROTECT, related_name="field_rules")
    resource = models.CharField(_("données"), max_length=60)
    field = models.CharField(_("champ"), max_length=60)
    access = models.CharField(_("accès"), max_length=16, choices=FIELD_ACCESS)
    when = models.ForeignKey(
        ContextConstraint, verbose_name=_("seulement si"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="field_rules",
    )

    class Meta:
        verbose_name = _("droit sur un champ")
        verbose_name_plural = _("droits sur les champs")
        ordering = ["role__name", "resource", "field"]
        constraints = [
            models.UniqueConstraint(fields=["role", "resource", "field", "when"], name="field_rule_unique"),
            models.UniqueConstraint(
                fields=["role", "resource", "field"], condition=models.Q(when__isnull=True),
                name="field_rule_static_unique",
            ),
        ]


class ActionLimit(Changed):
    """Limits of an action for a profile's holders: a daily ceiling (e.g. CDAP lookups per day), a maximum of
    records per query (all or nothing), a confirmation threshold, a maximum duration."""

    role = models.ForeignKey(
        ServiceRole, verbose_name=_("profil"), on_delete=models.PROTECT, related_name="action_limits"
    )
    action = models.CharField(_("action"), max_length=100)
    max_per_day = models.PositiveIntegerField(_("plafond quotidien"), null=True, blank=True)
    max_records = models.PositiveIntegerField(_("enregistrements au plus par requête"), null=True, blank=True)
    confirm_above = models.PositiveIntegerField(_("confirmation au-delà de"), null=True, blank=True)
    max_seconds = models.PositiveIntegerField(_("durée maximale (secondes)"), null=True, blank=True)

    LIMIT_FIELDS = ("max_records", "confirm_above", "max_per_day", "max_seconds")

    class Meta:
        verbose_name = _("limite d'action d'un profil")
        verbose_name_plural = _("limites d'action des profils")
        ordering = ["role__name", "action"]
        constraints = [models.UniqueConstraint(fields=["role", "action"], name="action_limit_unique")]

    def limits(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.LIMIT_FIELDS if getattr(self, name) is not None}


# -- time windows on a whole account or a whole profile (ENG-5) ------------------------------------------------------
class AccountWindow(AccessWindow, Changed):
    """When an account may use anything at all (e.g. a temporary agent's contract dates)."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("compte"), on_delete=models.CASCADE, related_name="access_window_row"
    )

    class Meta:
        verbose_name = _("période d'accès d'un compte")
        verbose_name_plural = _("périodes d'accès des comptes")


class RoleWindow(AccessWindow, Changed):
    """When a profile may be used at all, by anyone who holds it (e.g. weekdays only)."""

    role = models.OneToOneField(
        ServiceRole, verbose_name=_("profil"), on_delete=models.CASCADE, related_name="access_window_row"
    )

    class Meta:
        verbose_name = _("période d'usage d'un profil")
        verbose_name_plural = _("périodes d'usage des profils")


from habpps.authorization.separation_models import (  # noqa: E402,F401 — Django finds models in this module
    AccountLimit,
    ApprovalStatus,
    Exclusion,
    ExclusionKind,
    ExclusionMember,
    PendingApproval,
    ReportedViolation,
    Risk,
    RoleInheritance,
    RoleRule,
    SeparationKind,
    SeparationMember,
    SeparationSet,
)
