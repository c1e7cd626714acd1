"""CDAP's settings, each with its default and its environment variable (OPS-1).

Read from Django settings when the project defines them, else from the environment, else the default:

- ``HABPPS_CDAP_SOURCE``: ``demo`` (generated files) or ``http`` (a real back end).
- ``HABPPS_CDAP_SOURCE_URL``, ``HABPPS_CDAP_SOURCE_TIMEOUT`` (seconds), ``HABPPS_CDAP_SOURCE_TOKEN`` (bearer).
- ``HABPPS_CDAP_DAILY_CEILING``, ``HABPPS_CDAP_ALERT_THRESHOLD``: the CDP-9 figures a fresh installation starts
  with; the national administrator edits them afterwards (``AbuseLimits``).
- ``HABPPS_CDAP_PERIOD_MONTHS``: the months a period view shows before the viewer picks dates.
"""

from __future__ import annotations

import os

from django.conf import settings


def _value(name: str, default: str) -> str:
    configured = getattr(settings, name, None)
    if configured is not None:
        return str(configured)
    return os.environ.get(name, "").strip() or default


def source_kind() -> str:
    return _value("HABPPS_CDAP_SOURCE", "demo")


def source_url() -> str:
    return _value("HABPPS_CDAP_SOURCE_URL", "")


def source_timeout() -> float:
    return float(_value("HABPPS_CDAP_SOURCE_TIMEOUT", "5"))


def source_token() -> str:
    return _value("HABPPS_CDAP_SOURCE_TOKEN", "")


def default_daily_ceiling() -> int:
    return int(_value("HABPPS_CDAP_DAILY_CEILING", "100"))


def default_alert_threshold() -> int:
    return int(_value("HABPPS_CDAP_ALERT_THRESHOLD", "50"))


def period_months() -> int:
    return int(_value("HABPPS_CDAP_PERIOD_MONTHS", "12"))
