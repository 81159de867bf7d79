"""What an operation costs, computed on its document before it runs.

The model (the README's "Operation cost" says it for clients):

- every field that returns an object, or a list of objects, costs 1 each
  time it can be resolved: once, times the page size of every connection
  and the bound of every list around it (a connection's page is `first` or
  `last`, or the default page size; a plain list's bound is in
  api.cost_bounds);
- scalars and enums cost nothing (they come with their object), nor does
  `__typename`; `__schema` and `__type` cost 1 each, whatever is selected
  in them (they are answered from memory);
- a mutation's root field costs MUTATION_COST (it writes, in a
  transaction of its own), its payload like any selection;
- a field of an interface or union type costs what its most expensive
  possible type costs; a field skipped by `@skip`/`@include` costs nothing;
- every operation costs at least 1.

The document is read as execution will read it: the same operation, the
variables coerced as execution coerces them, fields merged by response
key (so selecting a field twice, directly or through fragments, costs it
once, as it runs once), fragments expanded where their type applies.

No library fits: graphql-complexity, the one Python library for this,
multiplies only by the argument of a field whose type is a list (a Relay
connection is an object, its page an argument of the connection field),
does not see lists inside non-null types, ignores the operation's
variables under Strawberry, and estimates per possible type at most by
accident, so it would undercount exactly the queries this is for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    type_from_ast,
)
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_directive_values,
    get_variable_values,
)

from api.cost_bounds import LIST_BOUNDS, SizedBy

MUTATION_COST = 10
INTROSPECTION_COST = 1
MINIMUM_COST = 1
COST_CEILING = 2**53 - 1
"""Costs are reported in JSON, and clients read them as doubles: beyond
this they would lose precision (and the operation is refused long before)."""

_INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
_CONNECTION_LISTS = frozenset({"edges", "nodes"})


@dataclass(frozen=True)
class PageSizes:
    default: int
    most: int


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    pages: PageSizes,
) -> int | None:
    """The cost of the operation execution would run, or None when
    execution will refuse it before resolving anything (no such operation,
    variables that do not coerce): such a request costs nothing."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    root = schema.get_root_type(operation.operation)
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {})
    )
    if root is None or isinstance(coerced, list):
        return None
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    pricing = _Pricing(schema, fragments, coerced, pages)
    weight = MUTATION_COST if operation.operation is OperationType.MUTATION else 1
    cost = pricing.unit(root, (operation.selection_set,), page=None, weight=weight)
    return min(max(cost, MINIMUM_COST), COST_CEILING)


def is_connection(type_: object) -> bool:
    return (
        isinstance(type_, GraphQLObjectType)
        and "edges" in type_.fields
        and "pageInfo" in type_.fields
    )


class _Pricing:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        pages: PageSizes,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.pages = pages
        # The cost is linear in the number of times a selection runs, so
        # the cost of one run of a selection on a type is worth keeping:
        # an abstract field prices its selection on every possible type.
        self._units: dict[tuple[str, tuple[int, ...], int | None], int] = {}

    def unit(
        self,
        parent: GraphQLObjectType,
        selection_sets: tuple[SelectionSetNode, ...],
        *,
        page: int | None,
        weight: int = 1,
    ) -> int:
        """The cost of resolving these (merged) selection sets once on an
        object of `parent`; `page` is the page size when `parent` is a
        connection."""
        key = (parent.name, tuple(id(s) for s in selection_sets), page)
        if weight == 1 and key in self._units:
            return self._units[key]
        total = 0
        for nodes in self._collect(parent, selection_sets).values():
            total += self._field(parent, nodes, page, weight)
        if weight == 1:
            self._units[key] = total
        return total

    def _field(
        self, parent: GraphQLObjectType, nodes: list[FieldNode], page: int | None, weight: int
    ) -> int:
        name = nodes[0].name.value
        if name in _INTROSPECTION_FIELDS:
            return INTROSPECTION_COST
        field = parent.fields.get(name)
        if field is None:  # __typename, or a field validation refused
            return 0
        named = get_named_type(field.type)
        if is_leaf_type(named):
            return 0
        size = self._size(parent, name, field, nodes[0], page)
        inner_page = self._page(field, nodes[0]) if is_connection(named) else None
        selections = tuple(node.selection_set for node in nodes if node.selection_set)
        if is_abstract_type(named):
            possible: Iterable[GraphQLObjectType] = self.schema.get_possible_types(named)  # type: ignore[arg-type]
        else:
            possible = (named,)  # type: ignore[assignment]
        inner = max((self.unit(t, selections, page=inner_page) for t in possible), default=0)
        return weight + size * inner

    def _size(
        self,
        parent: GraphQLObjectType,
        name: str,
        field: GraphQLField,
        node: FieldNode,
        page: int | None,
    ) -> int:
        """How many objects the field returns at most."""
        if not is_list_type(get_nullable_type(field.type)):  # type: ignore[arg-type]
            return 1
        if page is not None and name in _CONNECTION_LISTS:
            return page
        bound = LIST_BOUNDS.get(f"{parent.name}.{name}")
        if bound is None:  # tests/unit/test_cost_bounds keeps this from happening
            return self.pages.most
        if isinstance(bound, int):
            return bound
        return self._sized_by(bound, field, node)

    def _sized_by(self, bound: SizedBy, field: GraphQLField, node: FieldNode) -> int:
        value = self._arguments(field, node).get(bound.argument)
        most = self.pages.most if bound.most is None else bound.most
        if isinstance(value, list | tuple):
            return min(len(value), most)
        if isinstance(value, int):
            return min(max(value, 0), most)
        return most

    def _page(self, field: GraphQLField, node: FieldNode) -> int:
        """The page a connection field asks for, as pagination reads it;
        beyond the maximum it is refused when it runs, so it counts as the
        maximum here (the client learns of the page size, not the cost)."""
        arguments = self._arguments(field, node)
        sizes = [arguments.get(name) for name in ("first", "last")]
        asked = [size for size in sizes if isinstance(size, int)]
        size = max(asked) if asked else self.pages.default
        return min(max(size, 0), self.pages.most)

    def _arguments(self, field: GraphQLField, node: FieldNode) -> dict[str, Any]:
        """Arguments that do not coerce fail the field when it runs, so its
        selection never runs; pricing it on its defaults overestimates."""
        try:
            return get_argument_values(field, node, self.variables)
        except GraphQLError:
            return {}

    def _collect(
        self, parent: GraphQLObjectType, selection_sets: tuple[SelectionSetNode, ...]
    ) -> dict[str, list[FieldNode]]:
        """The fields that run on an object of `parent`, by response key, as
        execution collects them (a fragment spread once per selection)."""
        fields: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()

        def collect(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if not self._included(selection):
                    continue
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    if self._applies(selection, parent):
                        collect(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if name in visited or fragment is None:
                        continue
                    visited.add(name)
                    if self._applies(fragment, parent):
                        collect(fragment.selection_set)

        for selection_set in selection_sets:
            collect(selection_set)
        return fields

    def _included(self, node: Any) -> bool:
        try:
            skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
            include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        except GraphQLError:
            return True
        return not (skip and skip["if"] is True) and not (include and include["if"] is False)

    def _applies(
        self, fragment: InlineFragmentNode | FragmentDefinitionNode, parent: GraphQLObjectType
    ) -> bool:
        if fragment.type_condition is None:
            return True
        condition = type_from_ast(self.schema, fragment.type_condition)
        if condition is parent:
            return True
        return is_abstract_type(condition) and self.schema.is_sub_type(condition, parent)  # type: ignore[arg-type]
