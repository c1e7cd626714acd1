"""The domain apps' stored rows that the policy build reads, reached through Django's app registry.

The authorization app sits below the domain apps (accounts, directory, conventions) in the import layers that
``pyproject.toml``'s import-linter contract enforces: they import it to ask for decisions, menus and access
checks, so it never imports their code back. It still has to read their tables to replay them into the engine;
it reaches their models the way Django's own ``get_user_model`` reaches the user model — by app label, through
the app registry — so the dependency is on the stored data, never on the apps' modules.

``from habpps.authorization.stored import Account`` works once the models are loaded (any time after
``django.setup()`` has imported the apps' models, which is before any ``AppConfig.ready``, URL or view).
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import AppRegistryNotReady

_HOMES = {
    # accounts
    "Account": "accounts",
    "AccountStatus": "accounts",
    "OrgLevel": "accounts",
    # directory
    "AccountRoleAssignment": "directory",
    "Fund": "directory",
    "Group": "directory",
    "GroupMembership": "directory",
    "GroupRoleAssignment": "directory",
    "Partner": "directory",
    "PolicyChange": "directory",
    "PolicyTouch": "directory",
    "PolicyVersion": "directory",
    "ProfileOpening": "directory",
    "RolePermission": "directory",
    "ServiceRole": "directory",
    "Status": "directory",
    # conventions
    "Convention": "conventions",
    "ConventionVersion": "conventions",
    "BulletinProfile": "conventions",
    "DelegatedPerimeter": "conventions",
}


def __getattr__(name: str):
    """The model (or choices class) ``name`` of the app that stores it."""
    try:
        label = _HOMES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    models_module = apps.get_app_config(label).models_module
    if models_module is None:
        raise AppRegistryNotReady(f"the models of {label!r} are not loaded yet: {name} was asked for too early")
    return getattr(models_module, name)
