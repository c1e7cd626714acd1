"""The `Account`: one login of one person for one organisation (ADM-5).

An account belongs to exactly one of the national body, a fund or a partner organisation — never two — so the
same person acting for another organisation has another account, as the slides require. Its login identifier is
generated, unique, and never reused; accounts are suspended or removed, never deleted, because the journal and
the dashboards keep referring to them (ADM-6).
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habpps.accounts.fields import SealedSecretField
from habpps.accounts.identifiers import generate_login
from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit, partner_unit, scope_path


class OrgLevel(models.TextChoices):
    """The level of the network an account works for."""

    NATIONAL = "national", _("Organisme national")
    FUND = "fund", _("Caisse")
    PARTNER = "partner", _("Organisme partenaire")


class AccountStatus(models.TextChoices):
    """Life cycle of an account (ADM-6): only an active account may log in or be granted anything."""

    ACTIVE = "active", _("Actif")
    SUSPENDED = "suspended", _("Suspendu")
    REMOVED = "removed", _("Supprimé")


class AccountManager(BaseUserManager["Account"]):
    """Creates accounts with a generated login identifier."""

    use_in_migrations = True

    def create_account(
        self,
        *,
        first_name: str,
        last_name: str,
        email: str,
        org_level: str,
        fund=None,
        partner=None,
        password: str | None = None,
        password_hash: str | None = None,
        created_by: Account | None = None,
    ) -> Account:
        """Create and save an account; without a password it cannot log in until one is set.

        ``password_hash`` stores an already hashed password (accounts imported from another directory, demo data)
        without paying the deliberately slow hashing again.
        """
        account = self.model(
            login=generate_login(first_name, last_name, exists=self._login_taken),
            first_name=first_name,
            last_name=last_name,
            email=self.normalize_email(email),
            org_level=org_level,
            fund=fund,
            partner=partner,
            created_by=created_by,
        )
        account.full_clean(exclude=["password"])
        if password_hash is not None:
            account.password = password_hash
            account.password_changed_at = timezone.now()
        elif password is None:
            account.set_unusable_password()
        else:
            account.set_password(password)
        account.save(using=self._db)
        return account

    def _login_taken(self, login: str) -> bool:
        return self.filter(login=login).exists()

    def get_by_natural_key(self, username: str | None) -> Account:
        return self.get(login=username)


class Account(AbstractBaseUser):
    """A person's login for one organisation of the network."""

    login = models.CharField(
        _("identifiant"),
        max_length=40,
        unique=True,
        editable=False,
        help_text=_("Identifiant de connexion, généré et unique."),
    )
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    email = models.EmailField(_("adresse électronique"))
    org_level = models.CharField(_("niveau"), max_length=16, choices=OrgLevel.choices)
    fund = models.ForeignKey(
        "directory.Fund",
        verbose_name=_("caisse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
    )
    partner = models.ForeignKey(
        "directory.Partner",
        verbose_name=_("organisme partenaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
    )
    status = models.CharField(
        _("statut"), max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    status_changed_at = models.DateTimeField(_("statut modifié le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        "self",
        verbose_name=_("créé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Room for the authentication policy (AUT-1, AUT-4): when the password was set, and whether it is a
    # temporary one that must be changed at the next login.
    password_changed_at = models.DateTimeField(_("mot de passe changé le"), null=True, blank=True)
    must_change_password = models.BooleanField(_("changement de mot de passe exigé"), default=False)
    # Freeze (AUT-2): consecutive failed logins, and until when the account is frozen after too many.
    failed_login_count = models.PositiveSmallIntegerField(_("échecs de connexion consécutifs"), default=0)
    frozen_until = models.DateTimeField(_("gelé jusqu'au"), null=True, blank=True)

    objects = AccountManager()

    @property
    def is_frozen_now(self) -> bool:
        """Frozen after failed logins, until ``frozen_until`` (AUT-2); shown to administrators with « Débloquer »."""
        from habpps.accounts import clock

        return self.frozen_until is not None and self.frozen_until > clock.now()

    USERNAME_FIELD = "login"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name", "email", "org_level"]

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        ordering = ["last_name", "first_name", "login"]
        constraints = [
            models.CheckConstraint(
                name="account_belongs_to_exactly_one_organisation",
                condition=(
                    Q(org_level=OrgLevel.NATIONAL, fund__isnull=True, partner__isnull=True)
                    | Q(org_level=OrgLevel.FUND, fund__isnull=False, partner__isnull=True)
                    | Q(org_level=OrgLevel.PARTNER, fund__isnull=True, partner__isnull=False)
                ),
                violation_error_message=_(
                    "Un compte appartient à exactement une organisation : l'organisme national, "
                    "une caisse ou un organisme partenaire."
                ),
            ),
        ]
        indexes = [models.Index(fields=["status", "org_level"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.login})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def organisation(self):
        """The national body (None), the fund or the partner this account works for."""
        if self.org_level == OrgLevel.PARTNER:
            return self.partner
        if self.org_level == OrgLevel.FUND:
            return self.fund
        return None

    @property
    def home_fund(self):
        """The fund this account answers to: its own, or its partner's; None for the national body."""
        if self.org_level == OrgLevel.PARTNER:
            return self.partner.fund
        return self.fund

    @property
    def org_unit(self) -> str:
        """The engine's organisation unit of this account: where its own roles apply (ENG-3)."""
        if self.org_level == OrgLevel.PARTNER:
            return partner_unit(self.partner_id)
        if self.org_level == OrgLevel.FUND:
            return fund_unit(self.fund_id)
        return NATIONAL_UNIT

    @property
    def org_scope(self) -> str:
        """The journal scope of this account's organisation (``national/fund:7/partner:42``)."""
        if self.org_level == OrgLevel.PARTNER:
            return scope_path(self.partner.fund_id, self.partner_id)
        if self.org_level == OrgLevel.FUND:
            return scope_path(self.fund_id)
        return scope_path()

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Whether the account may log in now: itself and every organisation above it are active (ADM-6)."""
        if self.status != AccountStatus.ACTIVE:
            return False
        organisation = self.organisation
        return organisation is None or organisation.is_in_force

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


# --- Authentication policy and its records (AUT-1..8) -------------------------------------------------------


class ConcurrentSessionMode(models.TextChoices):
    """What a login does while another session of the same account is live (AUT-6, « blocage du multi-sessions »)."""

    REFUSE_NEW = "refuse_new", _("Refuser la nouvelle connexion tant qu'une session est ouverte")
    END_PREVIOUS = "end_previous", _("Accepter la nouvelle connexion et fermer l'ancienne session")


class AuthenticationPolicy(models.Model):
    """The one row holding every figure of the access policy, edited by the national administrator.

    Seeded with the slides' defaults (``habpps.accounts.policy.seeded_policy_values``, overridable by
    ``HABPPS_*`` variables at seeding) and read on every request, so a change applies without a deployment.
    """

    SINGLETON_PK = 1

    password_min_length = models.PositiveSmallIntegerField(
        _("longueur minimale du mot de passe"), validators=[MinValueValidator(4), MaxValueValidator(128)]
    )
    password_max_length = models.PositiveSmallIntegerField(
        _("longueur maximale du mot de passe"), validators=[MinValueValidator(4), MaxValueValidator(128)]
    )
    require_uppercase = models.BooleanField(_("exiger une lettre majuscule"))
    require_lowercase = models.BooleanField(_("exiger une lettre minuscule"))
    require_digit = models.BooleanField(_("exiger un chiffre"))
    require_special = models.BooleanField(_("exiger un caractère spécial"))
    personal_password_validity_months = models.PositiveSmallIntegerField(
        _("validité du mot de passe personnel (mois)"), validators=[MinValueValidator(1)]
    )
    temporary_password_validity_hours = models.PositiveSmallIntegerField(
        _("validité du mot de passe provisoire (heures)"), validators=[MinValueValidator(1)]
    )
    password_history_depth = models.PositiveSmallIntegerField(
        _("profondeur de l'historique des mots de passe"),
        validators=[MaxValueValidator(24)],
        help_text=_("Le nouveau mot de passe doit différer des N derniers, l'actuel compris."),
    )
    freeze_failure_threshold = models.PositiveSmallIntegerField(
        _("échecs consécutifs avant gel du compte"), validators=[MinValueValidator(1)]
    )
    freeze_duration_minutes = models.PositiveIntegerField(
        _("durée du gel (minutes)"), validators=[MinValueValidator(1)]
    )
    address_failure_threshold = models.PositiveIntegerField(
        _("échecs tolérés par adresse réseau"),
        validators=[MinValueValidator(1)],
        help_text=_(
            "Au-delà, les tentatives venant de cette adresse sont refusées (pulvérisation de mots de passe)."
        ),
    )
    address_window_minutes = models.PositiveIntegerField(
        _("fenêtre de comptage par adresse (minutes)"), validators=[MinValueValidator(1)]
    )
    reset_link_validity_minutes = models.PositiveIntegerField(
        _("validité du lien « mot de passe oublié » (minutes)"), validators=[MinValueValidator(1)]
    )
    idle_timeout_minutes = models.PositiveIntegerField(
        _("durée maximale d'inactivité d'une session (minutes)"), validators=[MinValueValidator(1)]
    )
    concurrent_sessions = models.CharField(
        _("sessions simultanées"), max_length=16, choices=ConcurrentSessionMode.choices
    )
    second_factor_for_everyone = models.BooleanField(
        _("second facteur exigé de tous les comptes"), default=False
    )
    second_factor_funds = models.ManyToManyField(
        "directory.Fund",
        verbose_name=_("caisses dont les comptes doivent utiliser un second facteur"),
        blank=True,
        related_name="+",
    )
    second_factor_partners = models.ManyToManyField(
        "directory.Partner",
        verbose_name=_("organismes partenaires dont les comptes doivent utiliser un second facteur"),
        blank=True,
        related_name="+",
    )
    second_factor_roles = models.ManyToManyField(
        "directory.ServiceRole",
        verbose_name=_("rôles et profils dont les titulaires doivent utiliser un second facteur"),
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("modifiée le"), null=True, blank=True)
    updated_by = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("modifiée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("politique d'authentification")
        verbose_name_plural = _("politique d'authentification")
        constraints = [
            models.CheckConstraint(
                name="auth_policy_is_a_singleton",
                condition=Q(pk=1),
                violation_error_message=_("Une seule politique."),
            ),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @property
    def required_class_count(self) -> int:
        return sum([self.require_uppercase, self.require_lowercase, self.require_digit, self.require_special])

    def clean(self) -> None:
        errors = {}
        if (
            self.password_min_length is not None
            and self.password_max_length is not None
            and self.password_min_length > self.password_max_length
        ):
            errors["password_max_length"] = _(
                "La longueur maximale ne peut être inférieure à la longueur minimale."
            )
        elif self.password_min_length is not None and self.password_min_length < self.required_class_count:
            errors["password_min_length"] = _(
                "La longueur minimale doit permettre un caractère de chaque type exigé."
            )
        if errors:
            raise ValidationError(errors)


class PasswordHistoryEntry(models.Model):
    """A former password's hash, so that the last N passwords are not reused (AUT-1)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("empreinte"), max_length=128)
    replaced_at = models.DateTimeField(_("remplacé le"))

    class Meta:
        verbose_name = _("ancien mot de passe")
        verbose_name_plural = _("anciens mots de passe")
        ordering = ["-replaced_at", "-pk"]


class AccountFreeze(models.Model):
    """One freeze of an account after too many consecutive failures (AUT-2), kept for supervision (SUP-3)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="freezes")
    frozen_at = models.DateTimeField(_("gelé le"))
    frozen_until = models.DateTimeField(_("gelé jusqu'au"))
    failures = models.PositiveSmallIntegerField(_("échecs consécutifs"))
    client_address = models.CharField(_("adresse réseau"), max_length=45, blank=True)

    class Meta:
        verbose_name = _("gel de compte")
        verbose_name_plural = _("gels de comptes")
        ordering = ["-frozen_at"]
        indexes = [models.Index(fields=["frozen_at"]), models.Index(fields=["account", "frozen_at"])]


class ClientAddressThrottle(models.Model):
    """Failed logins from one network address in the current window, against password spraying (AUT-2)."""

    address = models.CharField(_("adresse réseau"), max_length=45, unique=True)
    window_started_at = models.DateTimeField(_("début de la fenêtre"))
    failures = models.PositiveIntegerField(_("échecs"), default=0)

    class Meta:
        verbose_name = _("échecs par adresse")
        verbose_name_plural = _("échecs par adresse")


class SessionEndReason(models.TextChoices):
    LOGOUT = "logout", _("Déconnexion")
    IDLE = "idle", _("Inactivité")
    REPLACED = "replaced", _("Remplacée par une nouvelle connexion")
    REVOKED = "revoked", _("Compte suspendu ou supprimé")
    PASSWORD_RESET = "password_reset", _("Mot de passe réinitialisé")
    ADMIN = "admin", _("Fermée par un administrateur")


class AccountSession(models.Model):
    """A login session of an account, so that the policy sees which sessions are live (AUT-6)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="auth_sessions")
    session_key = models.CharField(_("clé de session"), max_length=40, unique=True)
    started_at = models.DateTimeField(_("ouverte le"))
    last_activity_at = models.DateTimeField(_("dernière activité"))
    client_address = models.CharField(_("adresse réseau"), max_length=45, blank=True)
    ended_at = models.DateTimeField(_("fermée le"), null=True, blank=True)
    end_reason = models.CharField(
        _("motif de fin"), max_length=16, choices=SessionEndReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["account", "ended_at"])]


class PasswordResetRequest(models.Model):
    """A « mot de passe oublié » link: single use, short-lived (AUT-5). Only the token's digest is stored."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="password_resets")
    token_digest = models.CharField(max_length=64, unique=True)
    requested_at = models.DateTimeField(_("demandé le"))
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)
    client_address = models.CharField(_("adresse réseau"), max_length=45, blank=True)

    class Meta:
        verbose_name = _("demande de réinitialisation")
        verbose_name_plural = _("demandes de réinitialisation")


class SecondFactorDevice(models.Model):
    """An account's TOTP authenticator (AUT-8); usable once confirmed by a first valid code."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="second_factor")
    # Encrypted at rest with a key from the environment (HABPPS_TOTP_KEYS), never in clear (issue 18).
    secret = SealedSecretField(_("secret partagé"), max_length=255)
    created_at = models.DateTimeField(_("créé le"))
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    last_used_step = models.BigIntegerField(_("dernier pas de temps utilisé"), null=True, blank=True)

    class Meta:
        verbose_name = _("second facteur")
        verbose_name_plural = _("seconds facteurs")


class RecoveryCode(models.Model):
    """A single-use code replacing the authenticator when it is lost (AUT-8); only its digest is stored."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="recovery_codes")
    code_digest = models.CharField(max_length=80)  # salt$hmac
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("code de secours")
        verbose_name_plural = _("codes de secours")


class OutgoingMailKind(models.TextChoices):
    NEW_ACCOUNT_LOGIN = "new_account_login", _("Identifiant d'un nouveau compte")
    NEW_ACCOUNT_PASSWORD = "new_account_password", _("Mot de passe provisoire d'un nouveau compte")
    PASSWORD_RESET = "password_reset", _("Lien « mot de passe oublié »")
    NOTICE = "notice", _("Avis à un administrateur")


class OutgoingMail(models.Model):
    """A new account's mail the mail server refused, kept until ``habpps mail retry`` delivers it (AUT-3).

    The password is never stored: a password mail carries no body here, and its retry draws a fresh temporary
    password, sets it and sends that one (``habpps.accounts.outbox``).

    A « mot de passe oublié » request is queued here too, for any login typed, known or not (issue 18): the
    request does the same work either way and the background sender finds the account, draws the link's token
    and sends it. Those rows name the login as typed and the requester's address, which the reset throttle
    counts; the link's token is never stored (only the address the link starts with).
    """

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="outgoing_mails", null=True, blank=True
    )
    requested_login = models.CharField(_("identifiant demandé"), max_length=150, blank=True)
    client_address = models.CharField(_("adresse réseau du demandeur"), max_length=45, blank=True)
    link_template = models.CharField(_("adresse du lien (sans le jeton)"), max_length=500, blank=True)
    # A notice (kind ``notice``) is written when its cause is committed — e.g. an amendment validated — and
    # carries its own text: nothing secret, so it may wait here until the mail server takes it.
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    body = models.TextField(_("texte"), blank=True)
    kind = models.CharField(_("nature"), max_length=32, choices=OutgoingMailKind.choices)
    created_at = models.DateTimeField(_("mis en attente le"))
    attempts = models.PositiveIntegerField(_("tentatives"), default=1)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"))
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("abandonné le"), null=True, blank=True)

    class Meta:
        verbose_name = _("courriel en attente")
        verbose_name_plural = _("courriels en attente")
        ordering = ["next_attempt_at", "pk"]
        indexes = [
            models.Index(fields=["sent_at", "cancelled_at", "next_attempt_at"], name="outgoing_mail_due"),
            models.Index(fields=["kind", "requested_login", "created_at"], name="outgoing_mail_reset_login"),
            models.Index(fields=["kind", "client_address", "created_at"], name="outgoing_mail_reset_address"),
        ]
