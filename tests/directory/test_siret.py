"""SIRET numbers are checked with their Luhn key (ADM-3)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from habpps.conventions.demo_network import luhn_siret
from habpps.directory.validators import normalize_siret, siret_is_valid, validate_siret


@pytest.mark.parametrize("siret", ["73282932000074", "44306184100047", "35600000000048"])
def test_known_sirets_are_valid(siret):
    assert siret_is_valid(siret)


def test_la_poste_establishments_follow_their_own_key():
    # La Poste's SIRET numbers are valid when the sum of their digits is a multiple of 5.
    assert siret_is_valid("35600000049837")
    assert not siret_is_valid("35600000049838")


@pytest.mark.parametrize("siret", ["73282932000075", "1234567890123", "7328293200007a", ""])
def test_wrong_key_or_format_is_refused(siret):
    assert not siret_is_valid(siret)


def test_validator_messages_are_french_and_say_what_is_wrong():
    with pytest.raises(ValidationError, match="14 chiffres"):
        validate_siret("123")
    with pytest.raises(ValidationError, match="clé de contrôle"):
        validate_siret("73282932000075")


def test_typed_spaces_are_ignored():
    assert normalize_siret("732 829 320 00074") == "73282932000074"


@given(seed=st.integers(min_value=0, max_value=10**6), position=st.integers(0, 13), delta=st.integers(1, 9))
def test_changing_one_digit_breaks_the_key(seed, position, delta):
    import random

    siret = luhn_siret(random.Random(seed))
    assert siret_is_valid(siret)
    digits = list(siret)
    digits[position] = str((int(digits[position]) + delta) % 10)
    altered = "".join(digits)
    if not altered.startswith("356000000"):
        assert not siret_is_valid(altered)
