"""Storage of the journal: entries, the chain head, purge checkpoints and the retention rules.

Entries are append-only at three levels: the model refuses ``save()`` on an existing row and ``delete()``, the
queryset refuses ``update()`` and ``delete()``, and on PostgreSQL a trigger refuses UPDATE and DELETE (migration
0002) except inside the purge transaction. Nothing here references another table: an account removed from the
directory leaves its journal history intact, identified by the login kept as text.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .chain import GENESIS_HASH, ChainLink, hashed_content
from .exceptions import AppendOnlyViolation
from .kinds import validate_kind

HEAD_PK = 1
"""Primary key of the single chain-head row."""


class JournalEntryQuerySet(models.QuerySet):
    """Queries over journal entries; bulk modification is refused, scoping and kind filters are provided."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyViolation("la modification d'entrées")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyViolation("la suppression d'entrées")

    def _delete_for_purge(self) -> int:
        """Delete these entries: only :func:`habpps.journal.retention.purge_expired` may call this."""
        deleted, _by_model = super().delete()
        return deleted

    def within_scope(self, scope: str) -> JournalEntryQuerySet:
        """Entries whose org scope is ``scope`` or lies under it (``national`` sees every entry)."""
        from .scoping import NATIONAL_SCOPE

        if scope == NATIONAL_SCOPE:
            return self
        return self.filter(models.Q(org_scope=scope) | models.Q(org_scope__startswith=f"{scope}/"))

    def of_kind(self, kind: str) -> JournalEntryQuerySet:
        """Entries of kind ``kind`` or of a sub-kind of it (``auth`` matches ``auth.login.failure``)."""
        return self.filter(models.Q(kind=kind) | models.Q(kind__startswith=f"{kind}."))


class JournalEntry(models.Model):
    """One event of the platform, chained to its predecessor by ``previous_hash``."""

    sequence = models.BigIntegerField(_("séquence"), primary_key=True)
    occurred_at = models.DateTimeField(_("horodatage"), db_index=True)
    kind = models.CharField(_("type d'événement"), max_length=100, db_index=True)
    actor_pk = models.CharField(_("identifiant interne de l'acteur"), max_length=64, blank=True)
    actor_identifier = models.CharField(_("acteur"), max_length=150, blank=True, db_index=True)
    org_scope = models.CharField(_("périmètre"), max_length=255, blank=True, db_index=True)
    target = models.CharField(_("cible"), max_length=255, blank=True, db_index=True)
    data = models.JSONField(_("données"), default=dict, blank=True)
    before = models.JSONField(_("avant"), null=True, blank=True)
    after = models.JSONField(_("après"), null=True, blank=True)
    request_id = models.CharField(_("identifiant de requête"), max_length=64, blank=True, db_index=True)
    previous_hash = models.CharField(_("empreinte précédente"), max_length=64)
    hash = models.CharField(_("empreinte"), max_length=64, unique=True)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("entrées du journal")
        ordering = ["-sequence"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind} {self.actor_identifier or '-'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyViolation("la modification d'une entrée")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyViolation("la suppression d'une entrée")

    def hashed_content(self) -> dict[str, Any]:
        """The mapping this entry's ``hash`` covers."""
        return hashed_content(
            sequence=self.sequence,
            occurred_at=self.occurred_at,
            kind=self.kind,
            actor_pk=self.actor_pk,
            actor_identifier=self.actor_identifier,
            org_scope=self.org_scope,
            target=self.target,
            data=self.data,
            before=self.before,
            after=self.after,
            request_id=self.request_id,
            previous_hash=self.previous_hash,
        )

    def as_link(self) -> ChainLink:
        return ChainLink(self.sequence, self.previous_hash, self.hash, self.hashed_content())


class JournalHead(models.Model):
    """The single row that serialises appends: its lock orders writers, its values name the chain's end.

    ``signature`` is an HMAC of (sequence, hash), so that cutting the tail of the journal and rewinding this row
    is evident to anyone without the journal key.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=HEAD_PK)
    sequence = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    signature = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("tête de chaîne du journal")
        default_permissions = ()

    def __str__(self) -> str:
        return f"tête #{self.sequence}"


class PurgeCheckpoint(models.Model):
    """Signed record of one retention purge: which sequences were removed and the hashes around them."""

    created_at = models.DateTimeField(_("date de la purge"))
    purged_count = models.PositiveIntegerField(_("entrées purgées"))
    first_sequence = models.BigIntegerField(_("première séquence purgée"))
    last_sequence = models.BigIntegerField(_("dernière séquence purgée"))
    last_purged_hash = models.CharField(_("empreinte de la dernière entrée purgée"), max_length=64)
    policy = models.JSONField(_("règles de conservation appliquées"), default=dict)
    signature = models.CharField(_("signature"), max_length=64)

    class Meta:
        verbose_name = _("point de contrôle de purge")
        verbose_name_plural = _("points de contrôle de purge")
        ordering = ["created_at", "pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"purge n° {self.pk} : séquences {self.first_sequence} à {self.last_sequence}"


class PurgedRun(models.Model):
    """Consecutive sequences removed by one purge (a purge removes several runs when kinds interleave)."""

    checkpoint = models.ForeignKey(PurgeCheckpoint, on_delete=models.PROTECT, related_name="runs")
    first_sequence = models.BigIntegerField()
    last_sequence = models.BigIntegerField()
    entering_hash = models.CharField(max_length=64)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("plage purgée")
        verbose_name_plural = _("plages purgées")
        ordering = ["first_sequence"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.first_sequence}–{self.last_sequence}"


class RetentionRule(models.Model):
    """How long entries of a kind are kept: the longest matching ``kind_prefix`` wins over the settings."""

    kind_prefix = models.CharField(
        _("type d'événement (préfixe)"),
        max_length=100,
        unique=True,
        validators=[validate_kind],
        help_text=_(
            "Par exemple « auth » couvre « auth.login.failure » ; « cdap.consultation » une seule sorte."
        ),
    )
    retention_days = models.PositiveIntegerField(
        _("durée de conservation (jours)"),
        null=True,
        blank=True,
        help_text=_("Laisser vide pour conserver sans limite."),
    )
    description = models.CharField(_("justification"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("règle de conservation du journal")
        verbose_name_plural = _("règles de conservation du journal")
        ordering = ["kind_prefix"]

    def __str__(self) -> str:
        return f"{self.kind_prefix} : {self.retention_days or '∞'} j"
