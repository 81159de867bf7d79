"""The cost model (api.cost) on the real schema: page sizes and list bounds
multiply through nesting, the document is read as execution reads it
(variables, fragments, aliases, merged fields, @skip/@include), and every
list of objects has a bound (api.cost_bounds)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
    parse,
)

from api.cost import MUTATION_COST, PageSizes, is_connection, operation_cost
from api.cost_bounds import LIST_BOUNDS
from api.schema import build_schema
from api.settings import Settings

SCHEMA = build_schema(Settings())._schema
PAGES = PageSizes(default=20, most=100)
TEAMS = LIST_BOUNDS["Person.teams"]
MEMBERS = LIST_BOUNDS["Team.members"]


def cost(
    query: str, variables: dict[str, Any] | None = None, name: str | None = None
) -> int | None:
    return operation_cost(SCHEMA, parse(query), name, variables, PAGES)


def test_scalars_are_free_and_an_operation_costs_at_least_one() -> None:
    assert cost("{ __typename }") == 1
    assert cost("{ viewer { id name handle timezone } }") == 1


def test_a_connection_multiplies_what_is_inside_its_edges_by_the_page() -> None:
    # people 1, edges 1, node once per person.
    assert cost("{ people(first: 100) { edges { node { id } } } }") == 1 + 1 + 100
    assert cost("{ people(last: 7) { edges { cursor node { id } } } }") == 1 + 1 + 7
    # pageInfo is one object whatever the page.
    assert cost("{ people(first: 100) { pageInfo { hasNextPage } } }") == 2


def test_without_first_or_last_the_default_page_counts() -> None:
    assert cost("{ people { edges { node { id } } } }") == 1 + 1 + PAGES.default


def test_a_page_beyond_the_maximum_counts_as_the_maximum() -> None:
    """It is refused when it runs (PAGE_SIZE_EXCEEDED): that, not its cost,
    is what the client should hear about."""
    assert cost("{ people(first: 100000) { edges { node { id } } } }") == 102


def test_nested_lists_multiply() -> None:
    # Per person: teams 1, then for each of TEAMS teams: members 1.
    query = "{ people(first: 10) { edges { node { teams { members { id } } } } } }"
    assert cost(query) == 1 + 1 + 10 * (1 + 1 + TEAMS * 1)
    # One level more: for each of MEMBERS members, teams 1.
    deeper = "{ people(first: 10) { edges { node { teams { members { teams { id } } } } } } }"
    assert cost(deeper) == 1 + 1 + 10 * (1 + 1 + TEAMS * (1 + MEMBERS * 1))


def test_the_issues_query_costs_fifty_times_the_maximum() -> None:
    """30 aliases of `people(first: 100)` with nested connections: the
    query that took 11.6 s."""
    one = (
        "people(first: 100) { edges { node { id name"
        " stewardships(first: 100) { edges { node { follower { name } } } }"
        " teams { members { name } } } } }"
    )
    query = "{ " + " ".join(f"a{i}: {one}" for i in range(30)) + " }"
    per_person = (1 + 1 + 100 * (1 + 1)) + (1 + TEAMS * 1)
    assert cost(query) == 30 * (1 + 1 + 100 * (1 + per_person))
    assert cost(query) > 50 * Settings().max_operation_cost


def test_variables_and_their_defaults_size_pages() -> None:
    query = "query($n: Int = 5) { people(first: $n) { edges { node { id } } } }"
    assert cost(query) == 1 + 1 + 5
    assert cost(query, {"n": 50}) == 1 + 1 + 50
    assert cost(query, {"n": None}) == 1 + 1 + PAGES.default


def test_variables_that_do_not_coerce_cost_nothing() -> None:
    """Execution refuses them before resolving anything."""
    query = "query($n: Int) { people(first: $n) { edges { node { id } } } }"
    assert cost(query, {"n": "ten"}) is None
    assert cost("query Known { viewer { id } }", name="Missing") is None


def test_aliases_count_each_and_fragments_count_where_they_apply() -> None:
    fragment = "fragment P on Person { teams { id } }"
    one = "people(first: 10) { edges { node { ...P } } }"
    query = fragment + " { a: " + one + " b: " + one + " }"
    assert cost(query) == 2 * (1 + 1 + 10 * (1 + 1))


def test_a_field_selected_twice_runs_and_costs_once() -> None:
    twice = "{ viewer { teams { id } teams { name } ... on Person { teams { id } } } }"
    assert cost(twice) == cost("{ viewer { teams { id name } } }") == 1 + 1


def test_skipped_fields_cost_nothing() -> None:
    query = """query($big: Boolean!) {
      viewer { id }
      people(first: 100) @include(if: $big) { edges { node { id } } }
      more: people(first: 100) @skip(if: $big) { edges { node { id } } }
    }"""
    assert cost(query, {"big": False}) == 1 + 102
    assert cost(query, {"big": True}) == 1 + 102
    assert cost("{ viewer @skip(if: true) { teams { id } } }") == 1


def test_an_abstract_field_costs_its_most_expensive_type() -> None:
    query = """{ node(id: "x") {
      ... on Person { teams { members { id } } }
      ... on Team { id }
    } }"""
    assert cost(query) == 1 + (1 + TEAMS * (1 + MEMBERS * 0))


def test_nodes_costs_each_id() -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Person { teams { id } } } }"
    assert cost(query, {"ids": ["a", "b", "c"]}) == 1 + 3 * 1
    assert cost(query, {"ids": ["a"] * 1000}) == 1 + 100, "at most MAX_NODES, as it runs"


def test_a_sizing_argument_sizes_its_list() -> None:
    query = "{ viewer { feedbackSuggestions(limit: 3) { teams { id } } } }"
    assert cost(query) == 1 + 1 + 3 * 1
    default = "{ viewer { feedbackSuggestions { id } } }"
    assert cost(default) == 1 + 1 + 10 * 0


def test_a_mutation_field_costs_more_than_a_read() -> None:
    query = "mutation { markNotificationsRead(input: {}) { __typename } }"
    assert cost(query) == MUTATION_COST


def test_introspection_costs_one_per_entry_point() -> None:
    query = "{ __schema { types { name fields { name type { name } } } } }"
    assert cost(query) == 1
    assert cost('{ __type(name: "Person") { name } __typename }') == 1


# --- Every list has a bound ---------------------------------------------------


def _object_lists() -> set[str]:
    found = set()
    for name, type_ in SCHEMA.type_map.items():
        if name.startswith("__") or not isinstance(type_, GraphQLObjectType):
            continue
        for field_name, field in type_.fields.items():
            item = get_named_type(field.type)
            if (
                is_list_type(get_nullable_type(field.type))
                and is_composite_type(item)
                and not (is_connection(type_) and field_name == "edges")
            ):
                found.add(f"{name}.{field_name}")
    return found


def test_every_list_of_objects_has_a_bound() -> None:
    missing = _object_lists() - set(LIST_BOUNDS)
    assert not missing, f"give these list fields a bound in api/cost_bounds.py: {sorted(missing)}"


def test_no_bound_names_a_field_that_is_gone() -> None:
    assert not set(LIST_BOUNDS) - _object_lists()


def test_every_connection_field_takes_a_page() -> None:
    for type_ in SCHEMA.type_map.values():
        if not isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for name, field in type_.fields.items():
            if is_connection(get_named_type(field.type)):
                assert {"first", "last"} <= set(field.args), f"{type_.name}.{name}"


@pytest.mark.parametrize("bound", list(LIST_BOUNDS.values()))
def test_bounds_are_positive(bound: object) -> None:
    assert not isinstance(bound, int) or bound > 0


@pytest.mark.parametrize(
    "screen",
    ["bench.one_on_one_prep", "bench.steward_overview", "bench.mentor_matching"],
)
def test_the_screens_people_open_fit_the_default_maximum_many_times_over(screen: str) -> None:
    """The benchmarks send what the apps send; the limits must never refuse
    them, nor run a person's budget dry in a few taps."""
    query = importlib.import_module(screen).QUERY
    settings = Settings()
    screen_cost = cost(query, {"id": "x", "weights": None})
    assert screen_cost is not None
    assert screen_cost * 5 <= settings.max_operation_cost
    assert screen_cost * 40 <= settings.cost_budget_per_minute
