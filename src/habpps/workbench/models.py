"""What the workbench stores: role-engineering models (their YAML text) and mining runs with their progress.

A stored model is always valid: it is saved only once :func:`habpps.roleeng.loading.parse_model` accepted its
text, so every page can derive from it without re-checking. A mining run keeps its input (the user–permission
pairs, in the UPA text format), its progress lines as the miner reports them, and its result; it runs in a
background thread that refreshes ``heartbeat_at``, so a run whose process died is recognised as interrupted.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: A running run whose heartbeat is older than its time limit plus this margin has lost its process.
HEARTBEAT_MARGIN = timedelta(seconds=60)


class StoredRoleModel(models.Model):
    """A role-engineering model (RE-1), as the YAML document an analyst uploaded, edited or generated."""

    class Origin(models.TextChoices):
        UPLOAD = "depot", _("Déposé")
        EDIT = "saisie", _("Saisi dans l'atelier")
        MINING = "fouille", _("Issu d'une fouille de rôles")

    name = models.CharField(_("nom"), max_length=200)
    text = models.TextField(_("document YAML"))
    origin = models.CharField(_("origine"), max_length=16, choices=Origin.choices, default=Origin.UPLOAD)
    mining_run = models.ForeignKey(
        "MiningRun", verbose_name=_("fouille"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("modèle de rôles")
        verbose_name_plural = _("modèles de rôles")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.name


class MiningRun(models.Model):
    """One run of the role miner (RE-5) on an assignment taken from a file, the policy or the journal."""

    class Source(models.TextChoices):
        FILE = "fichier", _("Fichier déposé")
        POLICY = "politique", _("Politique en vigueur")
        JOURNAL = "journal", _("Accès observés dans le journal")

    class State(models.TextChoices):
        QUEUED = "en_attente", _("En attente")
        RUNNING = "en_cours", _("En cours")
        DONE = "terminee", _("Terminée")
        FAILED = "echec", _("En échec")

    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    label = models.CharField(_("libellé"), max_length=200)
    period_start = models.DateField(_("du"), null=True, blank=True)
    period_end = models.DateField(_("au"), null=True, blank=True)
    time_limit = models.FloatField(_("durée maximale (s)"))
    upa = models.TextField(_("affectation utilisateur–permission"))
    user_count = models.PositiveIntegerField(_("utilisateurs"), default=0)
    permission_count = models.PositiveIntegerField(_("permissions"), default=0)
    pair_count = models.PositiveIntegerField(_("couples"), default=0)
    state = models.CharField(_("état"), max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.JSONField(_("avancement"), default=list, blank=True)
    result = models.JSONField(_("résultat"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("commencée le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)

    class Meta:
        verbose_name = _("fouille de rôles")
        verbose_name_plural = _("fouilles de rôles")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Fouille n° {self.pk} — {self.label}"

    @property
    def is_active(self) -> bool:
        """Queued or running, and not abandoned by a process that died."""
        return self.state in (self.State.QUEUED, self.State.RUNNING) and not self.is_interrupted

    @property
    def is_interrupted(self) -> bool:
        """Left running by a process that stopped (server restart): no heartbeat for longer than it may run."""
        if self.state not in (self.State.QUEUED, self.State.RUNNING):
            return False
        last = self.heartbeat_at or self.created_at
        return timezone.now() - last > timedelta(seconds=self.time_limit) + HEARTBEAT_MARGIN

    @property
    def elapsed_seconds(self) -> float:
        if self.started_at is None:
            return 0.0
        end = self.finished_at or timezone.now()
        return max(0.0, (end - self.started_at).total_seconds())

    @property
    def percent(self) -> int:
        """Share of the time limit used, for the progress bar (a run may end well before its limit)."""
        if self.state == self.State.DONE:
            return 100
        return min(99, int(100 * self.elapsed_seconds / self.time_limit)) if self.time_limit else 0


class Rationalisation(models.Model):
    """One rewriting of a stored model's scenarios (RE-2b, thesis 5.3.4): a decomposed step or a generalisation.

    The model document itself carries the trace (its ``rationalisations`` list), so it travels with every export;
    this row adds who and when, and keeps the document as it was before and after, so that the effect of each
    rewriting on profiles and roles can be shown again later (the model diff of the two texts).
    """

    class Kind(models.TextChoices):
        DECOMPOSITION = "decomposition", _("Décomposition d'une étape")
        GENERALISATION = "generalisation", _("Généralisation de scénarios")

    model = models.ForeignKey(
        StoredRoleModel, verbose_name=_("modèle"), on_delete=models.CASCADE, related_name="rationalisations"
    )
    kind = models.CharField(_("nature"), max_length=16, choices=Kind.choices)
    trace_id = models.CharField(_("identifiant de la trace"), max_length=100)
    sentence = models.TextField(_("description"))
    trace = models.JSONField(_("trace"))
    text_before = models.TextField(_("document avant"))
    text_after = models.TextField(_("document après"))
    created_at = models.DateTimeField(_("faite le"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("rationalisation")
        verbose_name_plural = _("rationalisations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.sentence
