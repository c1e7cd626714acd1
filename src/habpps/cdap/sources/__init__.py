"""Adapters of the beneficiary-file port, chosen by ``HABPPS_CDAP_SOURCE`` (``demo`` or ``http``)."""

from __future__ import annotations

from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured

from habpps.cdap import conf
from habpps.cdap.sources.base import (
    BeneficiaryFileSource,
    InvalidSourceAnswer,
    SourceError,
    SourceTimeout,
    SourceUnavailable,
    UnknownBeneficiary,
)

__all__ = [
    "BeneficiaryFileSource",
    "InvalidSourceAnswer",
    "SourceError",
    "SourceTimeout",
    "SourceUnavailable",
    "UnknownBeneficiary",
    "configured_source",
]


@lru_cache(maxsize=4)
def _build(kind: str, url: str, timeout: float, token: str) -> BeneficiaryFileSource:
    if kind == "demo":
        from habpps.cdap.sources.demo import DemoBeneficiaryFileSource

        return DemoBeneficiaryFileSource()
    if kind == "http":
        from habpps.cdap.sources.http import HttpBeneficiaryFileSource

        if not url:
            raise ImproperlyConfigured("HABPPS_CDAP_SOURCE_URL est obligatoire avec HABPPS_CDAP_SOURCE=http.")
        return HttpBeneficiaryFileSource(url, timeout=timeout, token=token)
    raise ImproperlyConfigured(f"HABPPS_CDAP_SOURCE doit valoir demo ou http, pas {kind!r}.")


def configured_source() -> BeneficiaryFileSource:
    """The adapter the settings name (one instance per configuration and process)."""
    return _build(conf.source_kind(), conf.source_url(), conf.source_timeout(), conf.source_token())
