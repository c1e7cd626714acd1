"""Pages of the supervision: dashboards, findings, recertification, settings."""
