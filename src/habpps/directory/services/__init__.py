"""Administrative actions on the directory (ADM-1..6).

Each action checks the actor's permission with the engine, validates the rows with their French messages, makes
its change in one transaction that also bumps the policy version and re-checks the whole policy with the
engine (``policy_change``), and journals what changed with before/after pictures. Views and the API call these
functions; nothing else writes to the directory.
"""

from habpps.directory.services.accounts import (
    KEEP,
    create_account,
    grant_account_role,
    may_limit_roles,
    revoke_account_role,
    set_account_limit,
    set_account_role_window,
    set_account_status,
)
from habpps.directory.services.catalogue import (
    create_partner_type,
    create_service,
    create_service_role,
    set_doctrine,
    set_role_permissions,
    update_service_role,
)
from habpps.directory.services.network import (
    add_group_member,
    assign_group_role,
    create_fund,
    create_group,
    create_partner,
    remove_group_member,
    set_fund_status,
    set_group_role_window,
    set_group_status,
    set_partner_status,
    unassign_group_role,
    update_fund,
    update_group,
    update_partner,
)
from habpps.directory.services.windows import (
    account_window,
    role_window,
    set_account_window,
    set_role_window,
)

__all__ = [
    "account_window",
    "add_group_member",
    "assign_group_role",
    "create_account",
    "create_fund",
    "create_group",
    "create_partner",
    "create_partner_type",
    "create_service",
    "create_service_role",
    "grant_account_role",
    "KEEP",
    "may_limit_roles",
    "set_account_limit",
    "remove_group_member",
    "revoke_account_role",
    "set_account_role_window",
    "set_account_status",
    "set_account_window",
    "set_doctrine",
    "set_fund_status",
    "set_group_role_window",
    "set_group_status",
    "set_partner_status",
    "role_window",
    "set_role_permissions",
    "set_role_window",
    "unassign_group_role",
    "update_fund",
    "update_group",
    "update_partner",
    "update_service_role",
]
