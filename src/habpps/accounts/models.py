"""The `Account`: one login of one person for one organisation (ADM-5).

An account belongs to exactly one of the national body, a fund or a partner organisation — never two — so the
same person acting for another organisation has another account, as the slides require. Its login identifier is
generated, unique, and never reused; accounts are suspended or removed, never deleted, because the journal and
the dashboards keep referring to them (ADM-6).
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habpps.accounts.identifiers import generate_login
from habpps.directory.orgs import NATIONAL_UNIT, fund_unit, partner_unit, scope_path


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

    objects = AccountManager()

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
