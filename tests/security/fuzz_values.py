"""Hostile values of the fuzzing pass (issue 18): oversized, deeply nested and odd-Unicode input.

Strategies for hypothesis, shared by the form fuzzing (``test_fuzz_forms``) and the API fuzzing
(``test_fuzz_api``). Each category is what the red team threw at the demo instance, and more.
"""

from __future__ import annotations

from hypothesis import strategies as st

ODD_CHARACTERS = [
    "\u202e",  # right-to-left override
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\ufeff",  # byte-order mark
    "\ufffe",  # non-character
    "\uffff",
    "e\u0301\u0301\u0301",  # stacked combining accents
    "ǅ",  # title-case digraph
    "ß",
    "İ",  # case-folds to two characters
    "１２３",  # full-width digits
    "٣",  # Arabic-Indic digit
    "𝟘",  # mathematical digit (astral)
    "👩‍👩‍👧‍👦",  # emoji sequence (astral, joiners)
    "\U0010ffff",
    "\x00",  # NUL
    "\x1b[31m",  # terminal escape
    "\r\n",
    "\t",
    "'\"`;--",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "${jndi:ldap://x}",
    "$\\frac{1}{0}$",  # matplotlib mathtext
    "$x^$",
    "%00",
    "%s%s%s%n",
    "../../etc/passwd",
    "0001-01-01",
    "9999-12-31",
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
]

odd_text = st.lists(st.sampled_from(ODD_CHARACTERS) | st.text(max_size=8), min_size=1, max_size=6).map(
    "".join
)
long_text = st.integers(min_value=300, max_value=200_000).map(lambda n: ("é" * n)[:n])
form_value = st.one_of(odd_text, long_text, st.sampled_from(ODD_CHARACTERS))


def nested_json(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


deep_json = st.integers(min_value=33, max_value=2000).flatmap(
    lambda depth: st.sampled_from([nested_json(depth), "[" * depth + "]" * depth])
)
json_scalar = st.one_of(
    odd_text,
    long_text,
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
