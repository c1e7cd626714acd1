"""What the API stores: the bearer tokens of registered services and of people's administration tools.

A token is shown once, when it is created, and only its SHA-256 digest is kept: a copy of the database does not
let anyone call the API. Tokens are revoked, never deleted, so that the journal keeps naming real rows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenKind(models.TextChoices):
    """Who presents the token: a service of the portal asking for decisions, or a person's script."""

    SERVICE = "service", _("Service du portail")
    PERSONAL = "personal", _("Jeton personnel")


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None) -> ApiTokenQuerySet:
        """Tokens neither revoked nor expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ApiToken(models.Model):
    """A revocable bearer token, stored as the digest of its secret."""

    kind = models.CharField(_("nature"), max_length=16, choices=TokenKind.choices)
    name = models.CharField(
        _("nom"),
        max_length=80,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9._-]*$",
                _("Uniquement des minuscules non accentuées, des chiffres, des points et des tirets."),
            )
        ],
        help_text=_("Code du service appelant (ex. « portail-cdap »), ou libellé d'un jeton personnel."),
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens",
        help_text=_("Le compte au nom duquel agit un jeton personnel."),
    )
    prefix = models.CharField(
        _("préfixe"), max_length=16, unique=True, help_text=_("Partie publique qui désigne le jeton.")
    )
    digest = models.CharField(_("empreinte"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="service", account__isnull=True) | Q(kind="personal", account__isnull=False)
                ),
                name="api_token_holder_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
