"""CDP-1: a file is looked up by its 7-digit beneficiary number only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from habpps.cdap.numbers import (
    is_beneficiary_number,
    normalize_beneficiary_number,
    validate_beneficiary_number,
)


@pytest.mark.parametrize("typed", ["1234567", "123 45 67", " 1234567 ", "12.34.567", "123\u00a04567"])
def test_separators_people_type_are_ignored(typed):
    validate_beneficiary_number(typed)
    assert normalize_beneficiary_number(typed) == "1234567"


@pytest.mark.parametrize("typed", ["", "123456", "12345678", "12345a7", "Dupont", "123*", "１２３４５６７"])
def test_anything_but_seven_digits_is_refused_in_french(typed):
    with pytest.raises(ValidationError) as refused:
        validate_beneficiary_number(typed)
    assert "7 chiffres" in refused.value.messages[0]


@given(st.text(max_size=12))
def test_a_validated_number_is_exactly_seven_ascii_digits(typed):
    try:
        validate_beneficiary_number(typed)
    except ValidationError:
        return
    assert is_beneficiary_number(normalize_beneficiary_number(typed))
    assert normalize_beneficiary_number(typed).isascii()
