"""What runs once a change has committed sees that change (ENG-11).

The SSO sweep, mail and notifications are commit hooks registered while a ``policy_change`` block runs. They
must decide on the policy the change committed: a suspended person's service sign-ins end at once, not when
this process next probes the version (the CI run where a back-channel logout never came).
"""

import pytest
from django.db import transaction

from habpps.accounts.models import AccountStatus
from habpps.authorization.policy_cache import current_policy, policy_cache
from habpps.directory import services as directory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_commit_hook_of_the_change_decides_on_the_committed_policy(network, settings, monkeypatch):
    settings.HABPPS_POLICY_PROBE_SECONDS = 3600  # no probe may rescue a stale policy
    user = network.user_a
    policy_cache.rebuild()
    assert current_policy().snapshot.has_user(user.login)
    seen = []

    def hook():
        seen.append(current_policy().snapshot.has_user(user.login))

    original_save = type(user).save

    def save_then_hook(self, *args, **kwargs):
        original_save(self, *args, **kwargs)
        if self.pk == user.pk:
            transaction.on_commit(hook)

    monkeypatch.setattr(type(user), "save", save_then_hook)
    directory.set_account_status(network.fund_admin_a, user, AccountStatus.SUSPENDED)
    assert seen == [False]
    assert not current_policy().snapshot.has_user(user.login)
