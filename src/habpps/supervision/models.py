"""What the supervision stores: its settings, the daily aggregates the dashboards read, the findings and their
acknowledgements, and the recertification campaigns (ADM-8).

The journal of a national year holds hundreds of millions of rows: no dashboard reads it. ``habpps supervision
aggregate`` folds each finished day of the journal and of the directory into the ``Daily*`` tables below, and
every dashboard answers from them. The aggregates are derived data, rebuilt by the job: their references to
accounts and organisations (never deleted, ADM-6) carry no database constraint, whose per-row checks would cost
a year's backfill more than all the counting. Counts that the three levels of the network read (SUP-4, SUP-5) are stored
once per level — the nation, each fund, each partner — so a national chart over a year sums a few hundred rows,
never the partners' millions.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SupervisionSettings(models.Model):
    """The figures of the dashboards and alerts, one row edited by the national administrator."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    inactivity_months = models.PositiveSmallIntegerField(
        _("inactivité signalée après (mois)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Un utilisateur actif qui ne s'est pas connecté depuis ce délai est signalé."),
    )
    activity_window_months = models.PositiveSmallIntegerField(
        _("période observée (mois)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Période des classements d'actions métier et de gels de compte."),
    )
    business_actions_alert_threshold = models.PositiveIntegerField(
        _("seuil d'alerte des actions métier"),
        default=2000,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Un utilisateur qui dépasse ce nombre d'actions métier sur la période observée fait l'objet d'une "
            "alerte ; une nouvelle alerte part à chaque nouveau multiple du seuil."
        ),
    )
    ranking_size = models.PositiveSmallIntegerField(
        _("taille des classements"), default=50, validators=[MinValueValidator(5), MaxValueValidator(500)]
    )
    unused_months = models.PositiveSmallIntegerField(
        _("habilitation inutilisée après (mois)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_(
            "Un profil détenu sans aucune action métier sur ce délai est candidat au retrait (SUP-7)."
        ),
    )
    recertification_days = models.PositiveSmallIntegerField(
        _("durée d'une campagne de recertification (jours)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("intervalle des relances (jours)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Les administrateurs partenaires qui n'ont pas répondu sont relancés à cet intervalle."),
    )
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("paramètres de la supervision")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="supervision_settings_singleton")]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> SupervisionSettings:
        """The row, created with the seeded defaults the first time it is needed."""
        row, _created = cls.objects.get_or_create(pk=cls.SINGLETON_ID)
        return row


class AggregationState(models.Model):
    """How far the aggregation job has gone: the last day folded into the aggregates."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    last_day = models.DateField(_("dernier jour agrégé"), null=True, blank=True)
    ran_at = models.DateTimeField(_("dernière exécution"), null=True, blank=True)

    class Meta:
        verbose_name = _("état de l'agrégation")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="aggregation_state_singleton")]

    def __str__(self) -> str:
        return f"{self.last_day or '—'}"


class Level(models.TextChoices):
    """The level a rolled-up count describes: the whole network, one fund, or one partner."""

    NATIONAL = "national", _("National")
    FUND = "fund", _("Caisse")
    PARTNER = "partner", _("Organisme partenaire")


class DailyAccountActivity(models.Model):
    """One account's logins and freezes on one day (SUP-1 context, SUP-3, SUP-6); only days with activity."""

    day = models.DateField(_("jour"))
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    fund = models.ForeignKey(
        "directory.Fund", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    partner = models.ForeignKey(
        "directory.Partner", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    logins = models.PositiveIntegerField(_("connexions"), default=0)
    freezes = models.PositiveIntegerField(_("gels"), default=0)

    class Meta:
        verbose_name = _("activité quotidienne d'un compte")
        constraints = [models.UniqueConstraint(fields=["day", "account"], name="daily_account_unique")]
        indexes = [
            # SUP-3 reads the few days with a freeze, at every level.
            models.Index(fields=["day"], condition=Q(freezes__gt=0), name="daily_account_freezes"),
            models.Index(fields=["partner", "day"], name="daily_account_partner"),
        ]


class DailyServiceActivity(models.Model):
    """One account's business actions in one service on one day (SUP-2, SUP-6, SUP-7 unused rights)."""

    day = models.DateField(_("jour"))
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    fund = models.ForeignKey(
        "directory.Fund", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    partner = models.ForeignKey(
        "directory.Partner", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    service = models.CharField(_("service"), max_length=40)
    actions = models.PositiveIntegerField(_("actions métier"), default=0)

    class Meta:
        verbose_name = _("actions métier quotidiennes d'un compte")
        constraints = [
            models.UniqueConstraint(fields=["day", "account", "service"], name="daily_service_unique")
        ]
        indexes = [
            models.Index(fields=["service", "day"], name="daily_service_day"),
            models.Index(fields=["fund", "service", "day"], name="daily_service_fund"),
            models.Index(fields=["partner", "service", "day"], name="daily_service_partner"),
            models.Index(fields=["account", "service", "day"], name="daily_service_account"),
        ]


class ActivityWindow(models.Model):
    """An observed window the job summed into ``WindowServiceActivity``: the days [since, through].

    The dashboards' windows (« depuis 6 mois », SUP-2 and SUP-7) start at a day that moves every day; the job
    sums each configured window once when it folds a day, so the national ranking and the unused-rights
    anti-join read a row per account instead of its every active day (issue 19: 4.4 s and 3.2 s before)."""

    since = models.DateField(_("depuis le"), unique=True)
    through = models.DateField(_("jusqu'au"))
    rows_since = models.DateField(_("sommes rangées sous le"))
    """The ``since`` its ``WindowServiceActivity`` rows carry: its start when they were last written whole. The
    job then moves the window by difference day after day (issue 19 §3) and the rows keep that key, so that a
    slide touches only the rows whose sums change, not every row's start."""

    class Meta:
        verbose_name = _("période observée agrégée")

    def __str__(self) -> str:
        return f"{self.since} → {self.through}"


class WindowServiceActivity(models.Model):
    """One account's business actions in one service over an ``ActivityWindow``: their sum, the number of days
    with actions and the last of them — the sums of its ``DailyServiceActivity`` rows of the window.

    ``since`` is the window's key, its ``rows_since`` (its start when the sums were last written whole), not
    necessarily its current start: read the rows of a window with ``since=window.rows_since``."""

    since = models.DateField(_("depuis le"))
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    fund = models.ForeignKey(
        "directory.Fund", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    partner = models.ForeignKey(
        "directory.Partner", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    service = models.CharField(_("service"), max_length=40)
    actions = models.PositiveIntegerField(_("actions métier"), default=0)
    days = models.PositiveIntegerField(_("jours d'activité"), default=0)
    last_day = models.DateField(_("dernier jour d'activité"))

    class Meta:
        verbose_name = _("actions métier d'un compte sur la période observée")
        constraints = [
            models.UniqueConstraint(fields=["since", "account", "service"], name="window_service_unique")
        ]
        indexes = [
            # SUP-2 at national level: the ranking is an index scan, in its order.
            models.Index(fields=["since", "service", "-actions", "account"], name="window_service_rank"),
            models.Index(fields=["fund", "since", "service"], name="window_service_fund"),
            models.Index(fields=["partner", "since", "service"], name="window_service_partner"),
        ]


class RolledUpCount(models.Model):
    """A count stored at one level: ``fund`` and ``partner`` are empty above their level."""

    day = models.DateField(_("jour"))
    level = models.CharField(_("niveau"), max_length=8, choices=Level.choices)
    fund = models.ForeignKey(
        "directory.Fund", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    partner = models.ForeignKey(
        "directory.Partner", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    count = models.PositiveBigIntegerField(_("nombre"), default=0)

    class Meta:
        abstract = True


class DailyHabilitationCount(RolledUpCount):
    """How many accounts held a profile at the end of a day (SUP-4), at each level of the network."""

    role = models.CharField(_("profil"), max_length=60)

    class Meta:
        verbose_name = _("habilitations d'un profil un jour donné")
        indexes = [
            models.Index(fields=["level", "day"], name="daily_habilitation_level"),
            models.Index(fields=["fund", "day"], name="daily_habilitation_fund"),
            models.Index(fields=["partner", "day"], name="daily_habilitation_partner"),
        ]


class DailySectionConsultation(RolledUpCount):
    """How many times a section of a file was shown on a day to holders of a profile (SUP-5), at each level."""

    section = models.CharField(_("rubrique"), max_length=40)
    profile = models.CharField(_("profil"), max_length=60)

    class Meta:
        verbose_name = _("consultations d'une rubrique un jour donné")
        indexes = [
            models.Index(fields=["level", "day"], name="daily_section_level"),
            models.Index(fields=["fund", "day"], name="daily_section_fund"),
            models.Index(fields=["partner", "day"], name="daily_section_partner"),
        ]


class FindingKind(models.TextChoices):
    """What a finding is about; each kind is one dashboard's row that deserves an alert."""

    INACTIVE_USER = "inactive_user", _("Utilisateur actif non connecté")
    BUSINESS_ACTIONS = "business_actions", _("Actions métier inhabituelles")
    EXCLUSION_VIOLATION = "exclusion_violation", _("Exclusion enfreinte, signalée")
    UNANSWERED_RECERTIFICATION = "unanswered_recertification", _("Recertification sans réponse")


class FindingQuerySet(models.QuerySet):
    def open(self) -> FindingQuerySet:
        return self.filter(resolved_at__isnull=True)


class Finding(models.Model):
    """One thing a dashboard flags about one account, tracked from its first sight to its end.

    ``state`` summarises what the finding says (the last login, the tier of actions reached, the rule and the
    roles held…): an acknowledgement applies to that state, and a finding whose state changes is new again —
    un-acknowledged and mailed once more (issue 9: « an acknowledged finding stays quiet until it changes »).
    """

    kind = models.CharField(_("nature"), max_length=32, choices=FindingKind.choices)
    subject = models.CharField(
        _("objet"), max_length=200, help_text=_("Ce qui distingue deux constats de même nature.")
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fund = models.ForeignKey(
        "directory.Fund", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey(
        "directory.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("état constaté"), max_length=64)
    details = models.JSONField(_("détails"), default=dict, encoder=DjangoJSONEncoder)
    first_seen_at = models.DateTimeField(_("constaté le"))
    last_seen_at = models.DateTimeField(_("vu pour la dernière fois le"))
    state_changed_at = models.DateTimeField(_("état modifié le"))
    notified_at = models.DateTimeField(_("alerte envoyée le"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acquitté le"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledgement_note = models.CharField(_("commentaire d'acquittement"), max_length=500, blank=True)
    resolved_at = models.DateTimeField(_("disparu le"), null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("constat")
        verbose_name_plural = _("constats")
        ordering = ["-state_changed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject"], condition=Q(resolved_at__isnull=True), name="finding_open_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "fund"], name="finding_kind_fund"),
            models.Index(fields=["kind", "partner"], name="finding_kind_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.subject}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("En cours")
    CLOSED = "closed", _("Clôturée")


class RecertificationCampaign(models.Model):
    """A periodic review in which partner administrators confirm or revoke their users' habilitations (ADM-8).

    A campaign covers the partners of the scope of whoever opened it — the whole network, or one fund.
    """

    name = models.CharField(_("intitulé"), max_length=200)
    fund = models.ForeignKey(
        "directory.Fund",
        verbose_name=_("caisse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Vide pour une campagne nationale."),
    )
    status = models.CharField(
        _("statut"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    opened_at = models.DateTimeField(_("ouverte le"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("réponse attendue avant le"))
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("campagne de recertification")
        verbose_name_plural = _("campagnes de recertification")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN

    def is_overdue(self, now=None) -> bool:
        return self.is_open and (now or timezone.now()) >= self.due_at


class CampaignPartner(models.Model):
    """A partner taking part in a campaign, and when its administrators were last reminded."""

    campaign = models.ForeignKey(RecertificationCampaign, on_delete=models.CASCADE, related_name="partners")
    partner = models.ForeignKey("directory.Partner", on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey("directory.Fund", on_delete=models.PROTECT, related_name="+")
    reminded_at = models.DateTimeField(_("relancé le"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("relances"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "partner"], name="campaign_partner_unique")
        ]


class ItemDecision(models.TextChoices):
    PENDING = "pending", _("En attente")
    CONFIRMED = "confirmed", _("Confirmée")
    REVOKED = "revoked", _("Retirée")
    LAPSED = "lapsed", _("Sans objet")


class RecertificationItem(models.Model):
    """One habilitation of one user to confirm or revoke: membership of a group and the profiles it gives.

    ``roles`` is the picture taken when the campaign opened — what the administrator was asked about. A
    membership that ended meanwhile makes the item ``lapsed``: there is nothing left to decide.
    """

    campaign = models.ForeignKey(RecertificationCampaign, on_delete=models.CASCADE, related_name="items")
    partner = models.ForeignKey("directory.Partner", on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey("directory.Fund", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey("directory.Group", on_delete=models.PROTECT, related_name="+")
    roles = models.JSONField(_("profils"), default=list)
    decision = models.CharField(
        _("décision"), max_length=10, choices=ItemDecision.choices, default=ItemDecision.PENDING
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("habilitation à recertifier")
        verbose_name_plural = _("habilitations à recertifier")
        ordering = ["account__last_name", "account__first_name", "group__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "account", "group"], name="recertification_item_unique"
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "partner", "decision"], name="recert_item_partner"),
            models.Index(fields=["campaign", "fund", "decision"], name="recert_item_fund"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} / {self.group_id} : {self.decision}"
