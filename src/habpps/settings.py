"""Django settings of Habpps.

Everything that differs between a developer's machine, the demo and production comes from environment variables
(OPS-1): production never reads a settings file edited in place. Without any variable the platform runs in the
embedded mode of the demo — SQLite under ``var/``, mail written to ``var/outbox``, one process.

Environment variables:

- ``HABPPS_ENVIRONMENT``: ``development`` (default) or ``production``. Production refuses to start without
  ``SECRET_KEY`` and ``ALLOWED_HOSTS`` and turns on the HTTPS-only cookie and HSTS settings.
- ``SECRET_KEY``, ``ALLOWED_HOSTS`` (comma separated), ``CSRF_TRUSTED_ORIGINS`` (comma separated), ``DEBUG``.
- ``DATABASE_URL`` (e.g. ``postgres://habpps:…@db:5432/habpps``), parsed by dj-database-url; default SQLite.
- ``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``,
  ``EMAIL_USE_SSL``, ``DEFAULT_FROM_EMAIL``: SMTP when ``EMAIL_HOST`` is set, otherwise files in the outbox.
- ``HABPPS_VAR_DIR``: where the embedded database, the outbox and other run-time files go (default ``var/``).
- ``HABPPS_POLICY_PROBE_SECONDS``: how often a process asks the database whether the policy changed (ENG-11);
  also how long it keeps the authentication policy it checks each request against (AUT-6).
- ``HABPPS_SESSION_ACTIVITY_SECONDS``: a session's last activity is written at most this often (30).
- ``HABPPS_ACCESS_EXPIRY_NOTICE_DAYS``: how many days before its end a time-bound access is announced to the
  partner's administrators (7); ``HABPPS_ACCESS_EXPIRY_CHECK_SECONDS``: how often each server process looks
  (3600; 0 turns the in-process job off, ``habpps access notify`` still works).
- ``HABPPS_LOG_LEVEL``: level of the console log.
- ``HABPPS_APPROVAL_DAYS``: how long a change held by a ``require_approval`` exclusion waits for a second
  administrator before it expires (ENG-7, default 7 days).
- ``HABPPS_TRUSTED_PROXY_HOPS``: reverse proxies appending to ``X-Forwarded-For`` (1 behind nginx), for the
  client address the login throttle and the journal read. The authentication policy's own ``HABPPS_*``
  figures seed its administrator-edited row once (``habpps.accounts.policy``, ``docs/security.md``).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    """Read a string variable; an empty value counts as unset."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean variable written as 1/0, true/false, yes/no or on/off."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} doit valoir true ou false, pas {raw!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list."""
    raw = env_str(name)
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else default


ENVIRONMENT = env_str("HABPPS_ENVIRONMENT", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("HABPPS_ENVIRONMENT doit valoir development ou production.")
PRODUCTION = ENVIRONMENT == "production"

VAR_DIR = Path(env_str("HABPPS_VAR_DIR", str(PROJECT_DIR / "var"))).resolve()

DEBUG = env_bool("DEBUG", default=False)

from habpps.development import DEVELOPMENT_SECRET_KEY  # noqa: E402 — published: never a production key

# AUT-8: keys encrypting the TOTP secrets at rest, comma separated, the first encrypts (habpps.accounts.secret_box);
# without it the key is derived from SECRET_KEY (set it in production, so that SECRET_KEY can change alone).
HABPPS_TOTP_KEYS = env_list("HABPPS_TOTP_KEYS", [])
if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY est obligatoire en production (50 caractères au moins).")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS est obligatoire en production.")
else:
    # A fixed key is acceptable only because development data is throw-away; production refuses it above.
    SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "dsfr",
    "widget_tweaks",
    "habpps.accounts",
    "habpps.directory",
    "habpps.authorization",
    "habpps.journal",
    "habpps.cdap",
    "habpps.conventions",
    "habpps.supervision",
    "habpps.workbench",
    "ninja",  # serves the static files of the API's interactive documentation
    "habpps.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "habpps.journal.middleware.RequestIdMiddleware",
    # Issue 18: bodies measured (413, JSON depth 400) and API calls counted (429) before anything parses them.
    "habpps.http.bodies.RequestBodyLimitMiddleware",
    "habpps.http.rate_limits.ApiRateLimitMiddleware",
    # ENG-5: decisions taken while serving a request see its client address (and the platform clock's time).
    "habpps.accounts.client.ClientAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "habpps.authorization.middleware.ActiveRolesMiddleware",
    # Issue 18: no-store on everything a signed-in person or an API caller receives.
    "habpps.http.caching.NoStoreMiddleware",
    "habpps.http.refusals.AccessRefusedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # AUT-6: idle timeout, one live session per account, suspended accounts' sessions end.
    "habpps.accounts.middleware.SessionPolicyMiddleware",
    # AUT-4, AUT-8: a temporary or expired password, or a required second factor, comes before anything else.
    "habpps.accounts.middleware.AuthenticationDutiesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "habpps.urls"
WSGI_APPLICATION = "habpps.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "habpps.authorization.context_processors.navigation",
            ],
        },
    },
]
# django-dsfr renders its form widgets with templates found in the app directories.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'habpps.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads of the demo server write at once; wait for the lock rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Take the write lock when a transaction begins: a transaction that read first and then writes would
    # otherwise fail with "database is locked" instead of waiting for the other writer (journal appends).
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Account"
AUTHENTICATION_BACKENDS = ["habpps.accounts.backends.AccountBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",  # Argon2id (AUT-1)
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# AUT-1: the figures (lengths, classes, history depth) are read from the administrator-edited policy row.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "habpps.accounts.password_validation.LengthValidator"},
    {"NAME": "habpps.accounts.password_validation.CharacterClassesValidator"},
    {"NAME": "habpps.accounts.password_validation.LoginIdentifierValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "habpps.accounts.password_validation.PasswordHistoryValidator"},
]
# A form refused for its security token gets the site's French 403 page, not Django's English one.
CSRF_FAILURE_VIEW = "habpps.errors.csrf_failure"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Overridden per session at login by the policy's idle timeout (AUT-6), which the session middleware enforces.
SESSION_COOKIE_AGE = 30 * 60
# A signed-in session is saved when it changes and when its activity is recorded (every
# HABPPS_SESSION_ACTIVITY_SECONDS, habpps.accounts.middleware), which moves its idle expiry: not on every request,
# a write transaction per page being a good part of a page's cost (issue 19).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    # The __Host- prefix makes browsers refuse these cookies unless Secure, host-only and for path "/".
    SESSION_COOKIE_NAME = "__Host-habpps_session"
    CSRF_COOKIE_NAME = "__Host-habpps_csrf"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("HABPPS_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# `collectstatic` target in production; elsewhere the files are served from the apps (WHITENOISE_USE_FINDERS).
STATIC_ROOT = Path(env_str("HABPPS_STATIC_ROOT", str(VAR_DIR / "static"))) if PRODUCTION else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Outside production the static files are served straight from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION

if env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "outbox"
# Issue 18: the outbox's background sender (habpps.accounts.mail_sender): "thread" in each web process, or "off"
# (cron `habpps mail retry` only); how often it looks for retries due.
HABPPS_MAIL_SENDER = env_str("HABPPS_MAIL_SENDER", "thread")
HABPPS_MAIL_SENDER_SECONDS = float(env_str("HABPPS_MAIL_SENDER_SECONDS", "30"))
# AUT-5: « mot de passe oublié » requests per login and per address in the window (same answer when over).
HABPPS_RESET_PER_LOGIN = int(env_str("HABPPS_RESET_PER_LOGIN", "3"))
HABPPS_RESET_PER_ADDRESS = int(env_str("HABPPS_RESET_PER_ADDRESS", "20"))
HABPPS_RESET_WINDOW_MINUTES = float(env_str("HABPPS_RESET_WINDOW_MINUTES", "15"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Mon Compte Partenaire <ne-pas-repondre@habpps.localhost>")

# ENG-11: the longest a process serves decisions from a superseded policy version (one tiny query per period).
HABPPS_POLICY_PROBE_SECONDS = float(env_str("HABPPS_POLICY_PROBE_SECONDS", "1.0"))
# AUT-6: a session's last activity is written at most this often (its idle timeout counts from that write).
HABPPS_SESSION_ACTIVITY_SECONDS = float(env_str("HABPPS_SESSION_ACTIVITY_SECONDS", "30"))
# PostgreSQL LISTEN/NOTIFY wakes every process when the policy changes; the probe above stays the fallback.
HABPPS_POLICY_LISTEN = env_bool("HABPPS_POLICY_LISTEN", True)
# Days a change held by a require_approval exclusion waits for a second administrator (ENG-7).
HABPPS_APPROVAL_DAYS = int(env_str("HABPPS_APPROVAL_DAYS", "7"))
# ENG-5: time-bound accesses are announced this many days before their end, by a job in each server process.
HABPPS_ACCESS_EXPIRY_NOTICE_DAYS = int(env_str("HABPPS_ACCESS_EXPIRY_NOTICE_DAYS", "7"))
HABPPS_ACCESS_EXPIRY_CHECK_SECONDS = float(env_str("HABPPS_ACCESS_EXPIRY_CHECK_SECONDS", "3600"))
# Page size of the directory's lists (« Pourquoi ? », holders of a profile, partners).
HABPPS_PAGE_SIZE = int(env_str("HABPPS_PAGE_SIZE", "25"))
HABPPS_SITE_TITLE = env_str("HABPPS_SITE_TITLE", "Mon Compte Partenaire")
# The portal's address as people type it, written in every mail about an account (a new login, a temporary
# password, a freeze…) and in the notices mailed outside any request (an amendment validated…): mail leaves
# without a request to read it from. `habpps serve` sets it from its --host/--port when it is not set; a
# deployment behind a proxy sets its public address.
HABPPS_PORTAL_URL = env_str("HABPPS_PORTAL_URL", "http://127.0.0.1:8000/")
# How many reverse proxies of the deployment append to X-Forwarded-For (1 behind nginx): the login throttle
# and the journal read the client's address that many entries from the right (AUT-2).
HABPPS_TRUSTED_PROXY_HOPS = int(env_str("HABPPS_TRUSTED_PROXY_HOPS", "0"))

# AUD-2: anchors of the journal head outside the database (habpps.journal.anchors). In production a separate
# write-once mount the database account cannot reach; by default a folder under var/.
HABPPS_JOURNAL_ANCHOR_DIR = env_str("HABPPS_JOURNAL_ANCHOR_DIR", str(VAR_DIR / "journal-anchors"))
HABPPS_JOURNAL_ANCHOR_EVERY_ENTRIES = int(env_str("HABPPS_JOURNAL_ANCHOR_EVERY_ENTRIES", "1000"))
HABPPS_JOURNAL_ANCHOR_EVERY_MINUTES = float(env_str("HABPPS_JOURNAL_ANCHOR_EVERY_MINUTES", "15"))
# Optional: auditors' addresses (comma separated) that receive a copy of each `habpps journal anchor`.
HABPPS_JOURNAL_ANCHOR_MAIL_TO = env_list("HABPPS_JOURNAL_ANCHOR_MAIL_TO", [])

# Issue 18: what the door refuses (habpps.http). Bodies: JSON and forms, multipart (a scanned convention, 10 MiB,
# plus the form around it); JSON nesting; API calls per window per token, per service token, per address.
HABPPS_MAX_BODY_BYTES = int(env_str("HABPPS_MAX_BODY_BYTES", str(1024 * 1024)))
HABPPS_MAX_UPLOAD_BYTES = int(env_str("HABPPS_MAX_UPLOAD_BYTES", str(11 * 1024 * 1024)))
HABPPS_MAX_JSON_DEPTH = int(env_str("HABPPS_MAX_JSON_DEPTH", "32"))
HABPPS_API_RATE_WINDOW_SECONDS = int(env_str("HABPPS_API_RATE_WINDOW_SECONDS", "60"))
HABPPS_API_RATE_PER_TOKEN = int(env_str("HABPPS_API_RATE_PER_TOKEN", "120"))
HABPPS_API_RATE_PER_SERVICE_TOKEN = int(env_str("HABPPS_API_RATE_PER_SERVICE_TOKEN", "12000"))
HABPPS_API_RATE_PER_ADDRESS = int(env_str("HABPPS_API_RATE_PER_ADDRESS", "300"))
# Refusals of the decision endpoint: repeats folded, at most this many distinct rows per service per window.
HABPPS_API_DENIAL_FLOOD_WINDOW_SECONDS = int(env_str("HABPPS_API_DENIAL_FLOOD_WINDOW_SECONDS", "60"))
HABPPS_API_DENIAL_FLOOD_CAP = int(env_str("HABPPS_API_DENIAL_FLOOD_CAP", "200"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_client_traceback": {"()": "habpps.http.logs.NoClientTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_client_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("HABPPS_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Single sign-on (habpps.sso): Habpps is the OpenID Connect provider of the portal's services, through
# django-oauth-toolkit. Keys: ``HABPPS_OIDC_PRIVATE_KEY`` / ``HABPPS_OIDC_PRIVATE_KEYS_INACTIVE`` (PEM) in
# production, otherwise ``var/oidc/`` (created on first start; ``habpps sso rotate-key``). ``HABPPS_OIDC_ISSUER``
# fixes the issuer URL (behind a reverse proxy); without it the issuer follows the request's host.
from habpps.sso.keys import load_keys  # noqa: E402

OIDC_KEY_DIR = Path(env_str("HABPPS_OIDC_KEY_DIR", str(VAR_DIR / "oidc")))
_OIDC_ACTIVE_KEY, _OIDC_INACTIVE_KEYS = load_keys(
    OIDC_KEY_DIR, env_str("HABPPS_OIDC_PRIVATE_KEY"), env_str("HABPPS_OIDC_PRIVATE_KEYS_INACTIVE")
)
INSTALLED_APPS += ["oauth2_provider", "habpps.sso"]
# The toolkit's models are swappable; naming them lets migrations that point to them resolve.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _OIDC_ACTIVE_KEY,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": _OIDC_INACTIVE_KEYS,
    "OIDC_ISS_ENDPOINT": env_str("HABPPS_OIDC_ISSUER"),
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,  # S256 only, never "plain"
    "OAUTH2_VALIDATOR_CLASS": "habpps.sso.validator.HabppsValidator",
    "SCOPES": {
        "openid": "Identité (OpenID Connect)",
        "profile": "Nom, identifiant et organisation",
        "email": "Adresse électronique",
        "habilitations": "Profils détenus pour ce service",
    },
    "DEFAULT_SCOPES": ["openid"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(env_str("HABPPS_OIDC_ACCESS_TOKEN_SECONDS", "600")),
    "ID_TOKEN_EXPIRE_SECONDS": int(env_str("HABPPS_OIDC_ID_TOKEN_SECONDS", "600")),
    "REFRESH_TOKEN_EXPIRE_SECONDS": int(env_str("HABPPS_OIDC_REFRESH_TOKEN_SECONDS", str(8 * 3600))),
    "ROTATE_REFRESH_TOKEN": True,
}
# How long the provider waits for a service's back-channel logout endpoint.
HABPPS_BACKCHANNEL_TIMEOUT_SECONDS = float(env_str("HABPPS_BACKCHANNEL_TIMEOUT_SECONDS", "5"))
