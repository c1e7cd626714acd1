"""Authentication backend: login by identifier, and no Django permissions — the RBAC engine decides."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from habpps.accounts.models import Account


class AccountBackend(ModelBackend):
    """Authenticate accounts and reload them with their organisations on every request.

    Reloading the organisation chain with the account is what makes a suspension of the account, its partner or
    its fund effective on the very next request (ADM-6): ``is_active`` reads all three.
    """

    def get_user(self, user_id):
        try:
            account = Account.objects.select_related("fund", "partner__fund").get(pk=user_id)
        except Account.DoesNotExist:
            return None
        return account if self.user_can_authenticate(account) else None

    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return False
