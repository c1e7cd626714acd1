"""The permission of the authentication side, as an (operation, object) pair of the engine.

The national administrator's role receives it from the migration ``accounts/0004_seed_authentication_policy``;
pages ask the engine for the permission, never for a role.
"""

from __future__ import annotations

from habpps.authorization.permissions import MANAGE_AUTHENTICATION_POLICY

__all__ = ["AUTHENTICATION_POLICY_ROLE", "MANAGE_AUTHENTICATION_POLICY"]
# The administrative role that holds it when the network is seeded (an administrator may grant it elsewhere).
AUTHENTICATION_POLICY_ROLE = "NationalAdmin"
