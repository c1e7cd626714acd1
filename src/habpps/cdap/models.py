"""What CDAP stores: the catalogue of sections, each consultation, the daily counters and the abuse limits.

The sections a *profile* sees are not stored here: they are engine permissions (``consulter
cdap.section.<code>``) of the directory's profiles, so that every decision goes through the engine.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habpps.cdap import conf

section_code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]*$", _("Uniquement des minuscules non accentuées, des chiffres et des tirets.")
)


class Section(models.Model):
    """A section (rubrique) of a beneficiary file (CDP-2); the national administrator edits the list.

    ``document_title`` names the PDF document the section offers over a period — the payment certificate
    (CDP-6) is the section « Attestation de paiement » with the document « Attestation de paiement ».
    """

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[section_code_validator])
    name = models.CharField(_("libellé"), max_length=120)
    position = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=100)
    is_active = models.BooleanField(_("en service"), default=True)
    document_title = models.CharField(
        _("document PDF"),
        max_length=120,
        blank=True,
        help_text=_(
            "Titre du document téléchargeable sur une période, par exemple « Attestation de paiement »."
        ),
    )

    class Meta:
        verbose_name = _("rubrique")
        verbose_name_plural = _("rubriques")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class ConsultationKind(models.TextChoices):
    LOOKUP = "lookup", _("Recherche par numéro")
    SUMMARY = "summary", _("Fiche de synthèse")
    SECTION = "section", _("Rubrique")
    DOCUMENT = "document", _("Document PDF")


class ConsultationOutcome(models.TextChoices):
    SHOWN = "shown", _("Affiché")
    UNKNOWN = "unknown", _("Numéro inconnu")
    REFUSED = "refused", _("Refusé : plafond quotidien atteint")
    UNAVAILABLE = "unavailable", _("Système d'information indisponible")


class Consultation(models.Model):
    """One look at one file — or one attempt — by one account (CDP-7), kept for the « who consulted » report.

    The journal holds the same event in its tamper-evident chain; this table is its index by file, so that
    « who consulted file N of fund F » is one indexed query. ``org_scope`` is the viewer's journal scope then,
    which the auditors' scoping matches by prefix.
    """

    occurred_at = models.DateTimeField(_("date"), default=timezone.now)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("compte"), on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey(
        "directory.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fund = models.ForeignKey("directory.Fund", on_delete=models.PROTECT, related_name="+")
    org_scope = models.CharField(_("périmètre"), max_length=200)
    beneficiary_number = models.CharField(_("numéro d'allocataire"), max_length=16)
    kind = models.CharField(_("nature"), max_length=16, choices=ConsultationKind.choices)
    outcome = models.CharField(_("résultat"), max_length=16, choices=ConsultationOutcome.choices)
    sections = models.JSONField(_("rubriques affichées"), default=list)
    profiles = models.JSONField(_("profils du consultant"), default=list)
    period_start = models.DateField(_("période du"), null=True, blank=True)
    period_end = models.DateField(_("période au"), null=True, blank=True)
    journal_sequence = models.BigIntegerField(_("entrée du journal"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["fund", "beneficiary_number", "occurred_at"], name="cdap_consult_by_file"),
            models.Index(fields=["account", "occurred_at"], name="cdap_consult_by_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.beneficiary_number} ({self.kind}, {self.outcome})"


class DailyActionCount(models.Model):
    """How many times a user did an action on a day: the database side of the engine's ``ActionCounter`` port
    (ENG-8), the counter of the CDP-9 ceiling. Keyed by login, as the engine names users."""

    login = models.CharField(max_length=40)
    action = models.CharField(max_length=100)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["login", "action", "day"], name="cdap_daily_action_count_unique")
        ]


class AbuseLimits(models.Model):
    """The CDP-9 figures, one row edited by the national administrator, seeded from the settings."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    daily_ceiling = models.PositiveIntegerField(
        _("plafond quotidien de consultations par utilisateur"),
        validators=[MinValueValidator(1)],
        help_text=_("Au-delà, la recherche d'un dossier est refusée jusqu'au lendemain."),
    )
    alert_threshold = models.PositiveIntegerField(
        _("seuil d'alerte"),
        validators=[MinValueValidator(1)],
        help_text=_(
            "Quand un utilisateur atteint ce nombre de dossiers dans la journée, l'administrateur de son "
            "organisme et sa caisse sont prévenus par courriel."
        ),
    )
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("limites de consultation")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="cdap_abuse_limits_singleton"),
            models.CheckConstraint(
                condition=Q(alert_threshold__lte=F("daily_ceiling")),
                name="cdap_alert_threshold_within_ceiling",
                violation_error_message=_("Le seuil d'alerte ne peut pas dépasser le plafond quotidien."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert_threshold} / {self.daily_ceiling}"

    @classmethod
    def current(cls) -> AbuseLimits:
        """The row, created from the settings' defaults the first time it is needed."""
        limits, _ = cls.objects.get_or_create(
            pk=cls.SINGLETON_ID,
            defaults={
                "daily_ceiling": conf.default_daily_ceiling(),
                "alert_threshold": min(conf.default_alert_threshold(), conf.default_daily_ceiling()),
            },
        )
        return limits
