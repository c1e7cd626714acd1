"""Production settings come from the environment only (OPS-1)."""

import json
import os
import subprocess
import sys

PROBE = (
    "import json, habpps.settings as s; print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': s.DATABASES['default']['NAME'], 'mail': s.EMAIL_BACKEND, 'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0), "
    "'hosts': s.ALLOWED_HOSTS, 'secure_cookie': s.SESSION_COOKIE_SECURE, 'probe': s.HABPPS_POLICY_PROBE_SECONDS}))"
)


def load_settings(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HABPPS_", "DATABASE_URL", "EMAIL_", "SECRET"))
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings(HABPPS_ENVIRONMENT="production", ALLOWED_HOSTS="habpps.example.fr")
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire en production" in result.stderr


def test_production_reads_database_mail_and_hosts_from_the_environment():
    result = load_settings(
        HABPPS_ENVIRONMENT="production",
        SECRET_KEY="x" * 64,
        ALLOWED_HOSTS="habpps.example.fr,partenaires.example.fr",
        DATABASE_URL="postgres://habpps:secret@db.internal:5432/habpps",
        EMAIL_HOST="smtp.internal",
        HABPPS_POLICY_PROBE_SECONDS="0.5",
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["engine"] == "django.db.backends.postgresql" and loaded["name"] == "habpps"
    assert loaded["mail"] == "django.core.mail.backends.smtp.EmailBackend"
    assert loaded["hosts"] == ["habpps.example.fr", "partenaires.example.fr"]
    assert loaded["hsts"] > 0 and loaded["secure_cookie"] is True
    assert loaded["probe"] == 0.5


def test_without_any_variable_the_platform_is_embedded(tmp_path):
    result = load_settings(HABPPS_VAR_DIR=str(tmp_path))
    loaded = json.loads(result.stdout)
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["name"] == str(tmp_path / "habpps.sqlite3")
    assert loaded["mail"] == "django.core.mail.backends.filebased.EmailBackend"
