"""What a convention stores (CNV-1): versions, the bulletin of each service with its profiles and user limits,
the paper steps recorded beside it (CNV-5), and the sub-perimeters partner administrators delegate (ADM-4).

Nothing is deleted: a superseded version, an ended convention and an ended delegation stay readable, because the
journal and the « versions side by side » page refer to them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habpps.conventions.documents import validate_pdf
from habpps.conventions.workflow import VersionState
from habpps.directory.models import Fund, Group, Partner, Service, ServiceRole


class EndKind(models.TextChoices):
    """How a convention stopped granting anything (CNV-6)."""

    TERMINATED = "terminated", _("Résiliée")
    EXPIRED = "expired", _("Échue")


class Convention(models.Model):
    """The contract between a fund and one of its partners that formalises all the partner's accesses."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("caisse"), on_delete=models.PROTECT, related_name="conventions"
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("organisme partenaire"), on_delete=models.PROTECT, related_name="conventions"
    )
    reference = models.CharField(
        _("référence"),
        max_length=60,
        help_text=_("Référence de la convention papier, par exemple CAF751-2025-014."),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("fin le"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_kind = models.CharField(_("fin"), max_length=16, choices=EndKind.choices, blank=True)
    end_reason = models.TextField(_("motif de fin"), blank=True)

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner"],
                condition=Q(ended_at__isnull=True),
                name="convention_one_open_per_partner",
                violation_error_message=_("Cet organisme a déjà une convention en cours."),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None

    def version_in_force(self) -> ConventionVersion | None:
        """The validated version, the only one that takes effect (CNV-2); None before validation or after the end."""
        if self.is_ended:
            return None
        return self.versions.filter(state=VersionState.VALIDATED).first()

    def open_version(self) -> ConventionVersion | None:
        """The version being prepared or verified, if any (at most one at a time)."""
        return self.versions.filter(state__in=VersionState.open_states()).first()


class ConventionVersion(models.Model):
    """One state of the convention: the first entry or an amendment (CNV-4), each verified on its own."""

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("état"), max_length=24, choices=VersionState.choices)
    service_contract = models.CharField(
        _("contrat de services"), max_length=120, help_text=_("Référence du contrat de services signé.")
    )
    ends_on = models.DateField(
        _("échéance"), null=True, blank=True, help_text=_("Dernier jour de validité ; vide si sans échéance.")
    )
    instructor_number = models.CharField(
        _("numéro instructeur RSA"),
        max_length=20,
        blank=True,
        help_text=_("Exigé pour les organismes instructeurs du RSA avant toute attribution de profil."),
    )
    instructor_number_checked_at = models.DateTimeField(
        _("numéro instructeur vérifié le"), null=True, blank=True
    )
    instructor_number_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saisie par"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("saisie le"), default=timezone.now)
    last_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("modifiée par"), on_delete=models.PROTECT, related_name="+"
    )
    last_changed_at = models.DateTimeField(_("modifiée le"), default=timezone.now)
    submitted_at = models.DateTimeField(_("soumise le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vérifiée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("vérifiée le"), null=True, blank=True)
    rejection_reason = models.TextField(_("motif du rejet"), blank=True)
    documents_note = models.TextField(_("documents manquants"), blank=True)

    class Meta:
        verbose_name = _("version de convention")
        verbose_name_plural = _("versions de convention")
        ordering = ["convention", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "number"], name="convention_version_number_unique"),
            models.UniqueConstraint(
                fields=["convention"],
                condition=Q(state="validated"),
                name="convention_one_validated_version",
            ),
            models.UniqueConstraint(
                fields=["convention"],
                condition=Q(state__in=["documents_requested", "draft", "submitted", "rejected"]),
                name="convention_one_open_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.convention.reference} v{self.number}"

    @property
    def is_amendment(self) -> bool:
        return self.number > 1

    @property
    def instructor_number_checked(self) -> bool:
        return bool(self.instructor_number) and self.instructor_number_checked_at is not None

    def granted(self) -> dict[int, int | None]:
        """Profile id → maximum number of users (None: no limit), over every bulletin of this version."""
        return dict(
            BulletinProfile.objects.filter(bulletin__version=self).values_list("role_id", "max_users")
        )


class Bulletin(models.Model):
    """The membership form of one service in a convention version: the profiles it grants (CNV-1)."""

    version = models.ForeignKey(ConventionVersion, on_delete=models.CASCADE, related_name="bulletins")
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("bulletin d'adhésion")
        verbose_name_plural = _("bulletins d'adhésion")
        ordering = ["service__name"]
        constraints = [
            models.UniqueConstraint(fields=["version", "service"], name="bulletin_one_per_service")
        ]

    def __str__(self) -> str:
        return f"{self.version} — {self.service}"


class BulletinProfile(models.Model):
    """A profile granted by a bulletin, with an optional ceiling on the partner users holding it."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="profiles")
    role = models.ForeignKey(
        ServiceRole, verbose_name=_("profil"), on_delete=models.PROTECT, related_name="+"
    )
    max_users = models.PositiveIntegerField(
        _("nombre maximal d'utilisateurs"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Vide : pas de limite."),
    )

    class Meta:
        verbose_name = _("profil accordé")
        verbose_name_plural = _("profils accordés")
        ordering = ["role__name"]
        constraints = [models.UniqueConstraint(fields=["bulletin", "role"], name="bulletin_profile_unique")]

    def __str__(self) -> str:
        return str(self.role)


class PaperStepKind(models.TextChoices):
    """The steps of the slides that happen outside the tool (CNV-5)."""

    ADMISSIBILITY = "admissibility", _("Étude de recevabilité")
    SIGNATURE = "signature", _("Signature de la convention")
    SUBSTANCE = "substance", _("Vérification sur le fond par le délégataire du directeur")
    CONFORMITY = "conformity", _("Conformité des documents")


class PaperDecision(models.TextChoices):
    FAVOURABLE = "favourable", _("Favorable")
    UNFAVOURABLE = "unfavourable", _("Défavorable")


def document_path(instance: PaperStep, filename: str) -> str:
    # The stored name never reuses the uploaded one: it could carry a path or a misleading extension.
    return f"conventions/{instance.convention_id}/{timezone.now():%Y%m%d%H%M%S}-{instance.kind}.pdf"


class PaperStep(models.Model):
    """A dated paper step with its decision and, optionally, the scanned document (PDF)."""

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="paper_steps")
    kind = models.CharField(_("étape"), max_length=24, choices=PaperStepKind.choices)
    occurred_on = models.DateField(_("date"))
    decision = models.CharField(_("décision"), max_length=16, choices=PaperDecision.choices)
    note = models.TextField(_("observations"), blank=True)
    document = models.FileField(
        _("document (PDF)"), upload_to=document_path, blank=True, validators=[validate_pdf]
    )
    document_name = models.CharField(_("nom du fichier déposé"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    class Meta:
        verbose_name = _("étape hors outil")
        verbose_name_plural = _("étapes hors outil")
        ordering = ["occurred_on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_on})"


class DelegatedPerimeter(models.Model):
    """The sub-perimeter a partner administrator gives a partner delegate: some groups, some profiles (ADM-4).

    Changing it ends the current row and starts a new one, so the history of who could grant what remains.
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="delegated_perimeters")
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("délégataire"), on_delete=models.PROTECT, related_name="+"
    )
    groups = models.ManyToManyField(Group, verbose_name=_("groupes"), related_name="+", blank=True)
    roles = models.ManyToManyField(ServiceRole, verbose_name=_("profils"), related_name="+", blank=True)
    started_at = models.DateTimeField(_("depuis le"), default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(_("jusqu'au"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("périmètre délégué")
        verbose_name_plural = _("périmètres délégués")
        constraints = [
            models.UniqueConstraint(
                fields=["delegate"],
                condition=Q(ended_at__isnull=True),
                name="delegated_perimeter_current_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} — {self.partner}"
