"""Fuzzing of the three loaders that read documents written by people (hypothesis): the engine's policy
document (``RBAC.load``), the role-engineering model (``habpps.roleeng.loading.parse_model``) and the
user–permission assignment (``habpps.roleeng.mining.parse_upa`` / ``read_upa``).

Each gets valid documents mutated at random — a value replaced by any JSON value, a key or an item removed, an
item duplicated — and random text. Whatever it is given, a loader either loads or raises its clean validation
error (``PolicyDocumentError``, ``ModelInvalid``, ``UpaFormatError``) in French; anything else (``KeyError``,
``TypeError``, a recursion error…) is a defect.

``HABPPS_FUZZ_EXAMPLES`` raises the number of examples for a long campaign (default: a bounded CI run).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.test_policy_extensions import _extended
from habpps.engine import RBAC, PolicyDocumentError, dumps
from habpps.roleeng.loading import parse_model
from habpps.roleeng.mining import UpaFormatError, parse_upa, read_upa
from habpps.roleeng.problems import ModelInvalid

EXAMPLES = int(os.environ.get("HABPPS_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
ROLE_MODELS = sorted((Path(__file__).resolve().parents[2] / "src/habpps/roleeng/examples").glob("*.yaml"))

POLICY = _extended().export()
MODELS = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in ROLE_MODELS]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(
        ["", "national", "T1", "alice", "08:00", "2024-02-30", "≥", "../..", "<script>", "' OR 1=1"]
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=8,
)


def locations(node, path=()):
    """Every path into a document (dict keys and list indices), the root included."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from locations(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from locations(value, (*path, index))


@st.composite
def mutated(draw, document):
    """``document`` with one to four random edits."""
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 4))):
        paths = list(locations(document))
        path = draw(st.sampled_from(paths))
        edit = draw(st.sampled_from(["replace", "remove", "duplicate", "rename"]))
        if not path:
            if edit == "replace":
                document = draw(json_values)
            continue
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        if edit == "replace":
            parent[key] = draw(json_values)
        elif edit == "remove":
            del parent[key]
        elif edit == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif edit == "rename" and isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = parent.pop(key)
    return document


@st.composite
def garbled_text(draw, text: str):
    """``text`` with characters inserted, removed or replaced at random places."""
    chars = list(text)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(chars)))
        edit = draw(st.sampled_from(["insert", "delete", "replace"]))
        fragment = draw(
            st.text(max_size=4)
            | st.sampled_from([":", "- ", "\n", "{", "[", "&a", "*a", "!!python/object", "\t", "\x00"])
        )
        if edit == "insert":
            chars[position:position] = list(fragment)
        elif chars and position < len(chars):
            chars[position : position + 1] = [] if edit == "delete" else list(fragment)
    return "".join(chars)


@FUZZ
@given(document=mutated(POLICY))
def test_policy_loader_accepts_or_refuses_cleanly_any_edit_of_a_document(document):
    try:
        RBAC.load(document)
    except PolicyDocumentError as error:
        assert error.errors and all(e["message"] for e in error.errors)


@FUZZ
@given(text=garbled_text(dumps(POLICY)) | st.text(max_size=400))
def test_policy_loader_accepts_or_refuses_cleanly_any_text(text):
    try:
        RBAC.load(text)
    except PolicyDocumentError as error:
        assert error.errors


@FUZZ
@given(document=st.sampled_from(MODELS).flatmap(mutated))
def test_role_model_loader_accepts_or_refuses_cleanly_any_edit_of_a_model(document):
    try:
        parse_model(yaml.safe_dump(document, allow_unicode=True))
    except ModelInvalid as invalid:
        assert invalid.problems and all(problem.message for problem in invalid.problems)


@FUZZ
@given(text=st.sampled_from([path.read_text(encoding="utf-8") for path in ROLE_MODELS]).flatmap(garbled_text))
def test_role_model_loader_accepts_or_refuses_cleanly_any_text(text):
    try:
        parse_model(text)
    except ModelInvalid as invalid:
        assert invalid.problems


@FUZZ
@given(lines=st.lists(st.text(max_size=40), max_size=30))
def test_upa_parser_accepts_or_refuses_cleanly_any_lines(lines):
    try:
        upa = parse_upa(lines)
    except UpaFormatError as error:
        assert error.line is not None and str(error)
    else:
        assert upa.edge_count <= len(lines)


@FUZZ
@given(data=st.binary(max_size=300))
def test_upa_reader_accepts_or_refuses_cleanly_any_bytes(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("upa") / "upa.txt"
    path.write_bytes(data)
    try:
        read_upa(path)
    except UpaFormatError as error:
        assert str(error)
