"""Supervision of the habilitations (SUP-1..8, ADM-8): dashboards at national, fund and partner level, alerts
with acknowledgement, daily aggregates built from the journal, and recertification campaigns."""
