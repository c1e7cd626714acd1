"""Pages of the workbench, each behind the engine permission ``utiliser atelier-roles`` (never a role name)."""
