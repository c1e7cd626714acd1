"""The RSA keys that sign ID tokens and logout tokens, and their rotation.

Production gives the active key in ``HABPPS_OIDC_PRIVATE_KEY`` (PEM) and the keys still published for tokens
signed before a rotation in ``HABPPS_OIDC_PRIVATE_KEYS_INACTIVE`` (PEMs separated by blank lines or in files);
every server process must see the same keys. The embedded default keeps them under ``var/oidc/``:
``active.pem`` is created on first start, and ``habpps sso rotate-key`` makes a new active key while the former
one stays published in the JWKS (``inactive-*.pem``) until ``--retire`` drops it. No Django import here: the
settings module reads the keys.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_SIZE = 2048
INACTIVE_KEPT = 3


def new_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _write_private(path: Path, pem: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(pem)


def _split_pems(text: str) -> list[str]:
    return [block + "\n" for block in re.findall(r"-----BEGIN [A-Z ]+-----.*?-----END [A-Z ]+-----", text, re.S)]


def load_keys(key_dir: Path, active_env: str = "", inactive_env: str = "") -> tuple[str, list[str]]:
    """The active private key (PEM) and the inactive ones still published, from the environment or ``key_dir``.

    Without an environment key, ``key_dir/active.pem`` is created on first use, so that the embedded demo
    signs tokens without any set-up.
    """
    if active_env.strip():
        return active_env.strip() + "\n", _split_pems(inactive_env) if inactive_env.strip() else []
    active = key_dir / "active.pem"
    if not active.exists():
        _write_private(active, new_private_key_pem())
    inactive = [path.read_text() for path in sorted(key_dir.glob("inactive-*.pem"), reverse=True)]
    return active.read_text(), inactive


def rotate(key_dir: Path) -> Path:
    """Make a new active key; the former one becomes inactive (still in the JWKS). Returns the retired file."""
    active = key_dir / "active.pem"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    retired = key_dir / f"inactive-{stamp}.pem"
    if active.exists():
        _write_private(retired, active.read_text())
    _write_private(active, new_private_key_pem())
    for old in sorted(key_dir.glob("inactive-*.pem"), reverse=True)[INACTIVE_KEPT:]:
        old.unlink()
    return retired


def retire_inactive(key_dir: Path) -> int:
    """Stop publishing every inactive key (once tokens signed with them have expired). Returns how many."""
    count = 0
    for old in key_dir.glob("inactive-*.pem"):
        old.unlink()
        count += 1
    return count
