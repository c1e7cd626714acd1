"""No user enumeration by timing (AUT-2): an unknown login, a wrong password and a frozen account cost the server
the same time to refuse, with the real Argon2id hasher.

Measured, not assumed. Each round sends the three cases in a shuffled order and compares them with each other, so
a slow spell of the machine weighs on all three alike; the medians over the rounds must agree within 10 %. The
assertion is on the CPU time the serving process spends (on a CI machine shared with other jobs the wall clock
mostly measures the neighbours); the wall-clock medians are printed alongside.
"""

import random
import statistics
import time
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from habpps import settings as project_settings
from habpps.accounts import clock
from habpps.accounts.models import Account

pytestmark = pytest.mark.slow  # about 40 Argon2id verifications: half a minute on two cores

ROUNDS = 12
TOLERANCE = 0.10
REFERENCE = "mauvais mot de passe"


def test_unknown_login_wrong_password_and_frozen_account_take_the_same_time(network, policy, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # Argon2id, as in production
    policy.freeze_failure_threshold = policy.address_failure_threshold = 10_000  # measure, do not freeze
    policy.save()
    known, frozen = network.user_a, network.user_b
    for account in (known, frozen):
        Account.objects.filter(pk=account.pk).update(password=make_password("Motdepasse#2025"))
    Account.objects.filter(pk=frozen.pk).update(frozen_until=clock.now() + timedelta(days=1))

    cases = {"inconnu": "inconnu.0000", REFERENCE: known.login, "compte gelé": frozen.login}
    client, url = Client(), reverse("accounts:login")
    client.post(url, {"username": "echauffement", "password": "x"})  # warm-up: dummy hash, caches
    cpu: dict[str, list[float]] = {case: [] for case in cases}
    wall: dict[str, list[float]] = {case: [] for case in cases}
    order = random.Random(5)
    for _ in range(ROUNDS):
        for case in order.sample(list(cases), len(cases)):
            started_cpu, started_wall = time.process_time(), time.perf_counter()
            response = client.post(url, {"username": cases[case], "password": "Mauvais#Mot2passe"})
            cpu[case].append(time.process_time() - started_cpu)
            wall[case].append(time.perf_counter() - started_wall)
            assert response.status_code == 200

    def medians(samples):
        return {case: statistics.median(values) for case, values in samples.items()}

    ratios = {
        case: statistics.median(
            value / reference for value, reference in zip(cpu[case], cpu[REFERENCE], strict=True)
        )
        for case in cases
    }
    print(
        "\nmédianes CPU (ms) :",
        {case: round(value * 1000, 1) for case, value in medians(cpu).items()},
        "\nmédianes murales (ms) :",
        {case: round(value * 1000, 1) for case, value in medians(wall).items()},
        "\nrapports CPU au mauvais mot de passe, médiane par tour :",
        {case: round(value, 3) for case, value in ratios.items()},
    )
    for case, ratio in ratios.items():
        assert abs(ratio - 1) <= TOLERANCE, (case, ratios)
    reference = medians(cpu)[REFERENCE]
    for case, median in medians(cpu).items():
        assert abs(median - reference) <= TOLERANCE * reference, (case, medians(cpu))
