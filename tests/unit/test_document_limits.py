"""The caps on directive repetition and field duplication (api.document_limits),
counted on the parsed document before validation."""

from __future__ import annotations

import pytest
from graphql import parse

from api.document_limits import (
    TOO_MANY_DIRECTIVES,
    TOO_MANY_DUPLICATE_FIELDS,
    check_document,
)

DIRECTIVES = 4
DUPLICATES = 10


def code(query: str) -> str | None:
    error = check_document(parse(query), max_directives=DIRECTIVES, max_duplicates=DUPLICATES)
    return None if error is None else error.extensions["code"]  # type: ignore[index]


def test_ordinary_documents_pass() -> None:
    assert (
        code("query($a: Boolean!) { viewer @skip(if: $a) @include(if: true) { id name } }") is None
    )
    # Relay-style fragments that share fields with their parent.
    assert (
        code(
            "fragment A on Person { id name } fragment B on Person { id handle }"
            " { viewer { id ...A ...B teams { id } } }"
        )
        is None
    )


@pytest.mark.parametrize(
    "location",
    [
        "{{ viewer {d} {{ id }} }}",
        "query Q {d} {{ viewer {{ id }} }}",
        "{{ viewer {{ ... on Person {d} {{ id }} }} }}",
        "fragment F on Person {d} {{ id }} {{ viewer {{ ...F }} }}",
        "fragment F on Person {{ id }} {{ viewer {{ ...F {d} }} }}",
        "query($a: Int {d}) {{ viewer {{ id }} }}",
    ],
    ids=["field", "operation", "inline-fragment", "fragment", "spread", "variable"],
)
def test_directives_on_one_location_are_capped(location: str) -> None:
    at_cap = " ".join(["@include(if: true)"] * DIRECTIVES)
    over = " ".join(["@include(if: true)"] * (DIRECTIVES + 1))
    assert code(location.format(d=at_cap)) is None
    assert code(location.format(d=over)) == TOO_MANY_DIRECTIVES


def test_the_directive_error_says_where_and_how_many() -> None:
    over = " ".join(["@skip(if: false)"] * 7)
    error = check_document(
        parse(f"{{ viewer {over} {{ id }} }}"), max_directives=DIRECTIVES, max_duplicates=DUPLICATES
    )
    assert error is not None
    assert "'viewer'" in error.message
    assert "7 directives" in error.message
    assert str(DIRECTIVES) in error.message
    assert error.extensions == {"code": TOO_MANY_DIRECTIVES, "count": 7}


def test_a_field_selected_too_often_is_refused() -> None:
    assert code("{ viewer { " + "name " * DUPLICATES + "} }") is None
    assert code("{ viewer { " + "name " * (DUPLICATES + 1) + "} }") == TOO_MANY_DUPLICATE_FIELDS


def test_duplicates_through_fragments_count() -> None:
    spreads = "fragment F on Person { name } { viewer { " + "...F " * (DUPLICATES + 1) + "} }"
    assert code(spreads) == TOO_MANY_DUPLICATE_FIELDS
    inline = "{ viewer { " + "... on Person { name } " * (DUPLICATES + 1) + "} }"
    assert code(inline) == TOO_MANY_DUPLICATE_FIELDS


def test_duplicates_of_merged_sub_selections_count() -> None:
    """`teams { name } teams { name }` merge into one `teams` whose
    selection holds `name` twice: what validation compares pairwise."""
    half = DUPLICATES // 2 + 1
    query = "{ viewer { " + ("teams { name name } " * half) + "} }"
    assert code(query) == TOO_MANY_DUPLICATE_FIELDS


def test_aliases_are_their_own_fields() -> None:
    query = "{ viewer { " + " ".join(f"a{i}: name" for i in range(DUPLICATES + 5)) + " } }"
    assert code(query) is None


def test_cyclic_and_missing_fragments_do_not_hang() -> None:
    """Nothing is validated yet: a cycle is not followed (validation refuses
    it), a missing fragment is skipped."""
    assert (
        code("fragment A on Person { ...B } fragment B on Person { ...A } { viewer { ...A } }")
        is None
    )
    assert code("{ viewer { ...Missing } }") is None


def test_fragments_that_fan_out_are_cut_short() -> None:
    """Twenty levels of fragments, each spreading the next twice: a million
    spreads of a missing fragment, refused within the walk's budget."""
    levels = 20
    fragments = " ".join(
        f"fragment F{i} on Person {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    query = fragments + f" fragment F{levels} on Person {{ ...Missing }} {{ viewer {{ ...F0 }} }}"
    assert code(query) == TOO_MANY_DUPLICATE_FIELDS
    with_field = query.replace("...Missing", "name")
    assert code(with_field) == TOO_MANY_DUPLICATE_FIELDS
