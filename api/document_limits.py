"""Caps on directive repetition and field duplication, checked before
validation.

Both were bounded only by the token limit. A field selected hundreds of
times in one selection set (directly, or by spreading one fragment again
and again) runs once, but validation compares every pair of such
selections and their sub-selections to check that they can merge:
quadratic, 0.7 s for 600 copies of `teams { name id }`. Directives
repeated on one location cost validation too, and there is no use for
more than a few (the executable ones are `@skip` and `@include`). So
these are counted on the parsed document, without the schema, in time
linear in what is counted, and a document over a cap is refused before
validation runs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    visit,
)

TOO_MANY_DIRECTIVES = "TOO_MANY_DIRECTIVES"
TOO_MANY_DUPLICATE_FIELDS = "TOO_MANY_DUPLICATE_FIELDS"
WALK_BUDGET = 50_000
"""Selections walked, spreads expanded, at most: some tens of milliseconds.
Real documents stay far below (each field at most a few times per
selection set); only fragments that fan out, spread within spread, reach
it."""


def check_document(
    document: DocumentNode, *, max_directives: int, max_duplicates: int
) -> GraphQLError | None:
    """The first cap the document breaks, as the error to answer with."""
    return _directives(document, max_directives) or _duplicates(document, max_duplicates)


def _directives(document: DocumentNode, most: int) -> GraphQLError | None:
    class Counting(Visitor):
        error: GraphQLError | None = None

        def enter(self, node: Node, *_: object) -> object:
            directives = getattr(node, "directives", None) or ()
            if len(directives) > most:
                self.error = GraphQLError(
                    f"{_describe(node)} has {len(directives)} directives;"
                    f" at most {most} are allowed on one location.",
                    nodes=[node],
                    extensions={"code": TOO_MANY_DIRECTIVES, "count": len(directives)},
                )
                return self.BREAK
            return None

    counting = Counting()
    visit(document, counting)
    return counting.error


def _describe(node: Node) -> str:
    name = getattr(node, "name", None)
    kind = node.kind.replace("_", " ")
    return f"The {kind} '{name.value}'" if name is not None else f"The {kind}"


@dataclass
class _Duplicates:
    """Walks each selection set as execution merges it: the fields of one
    response key in a set (directly and through inline fragments and
    fragment spreads, every spread counted) are one merged field, whose
    sub-selections are merged in turn. Explicit stacks, no recursion:
    nothing here has been validated yet, so fragments may be nested deeply
    or spread in a cycle (a cycle is not followed; validation refuses it).
    `budget` bounds the whole walk, so spreads that fan out without ever
    reaching a field cannot keep it busy either."""

    fragments: dict[str, FragmentDefinitionNode]
    most: int
    budget: int
    spent: int = 0
    error: GraphQLError | None = field(default=None)

    def check(self, roots: list[SelectionSetNode]) -> GraphQLError | None:
        groups: list[list[SelectionSetNode]] = [[root] for root in roots]
        while groups and self.error is None:
            merged = self._merge(groups.pop())
            groups.extend(
                [node.selection_set for node in nodes if node.selection_set]
                for nodes in merged.values()
                if any(node.selection_set for node in nodes)
            )
        return self.error

    def _merge(self, group: list[SelectionSetNode]) -> dict[str, list[FieldNode]]:
        fields: dict[str, list[FieldNode]] = {}
        counts: Counter[str] = Counter()
        stack: list[tuple[SelectionSetNode, frozenset[str]]] = [(s, frozenset()) for s in group]
        while stack:
            selection_set, spread_path = stack.pop()
            for selection in selection_set.selections:
                self.spent += 1
                if self.spent > self.budget:
                    self.error = self._refuse(selection, None)
                    return {}
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    counts[key] += 1
                    if counts[key] > self.most:
                        self.error = self._refuse(selection, key)
                        return {}
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    stack.append((selection.selection_set, spread_path))
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if fragment is not None and name not in spread_path:
                        stack.append((fragment.selection_set, spread_path | {name}))
        return fields

    def _refuse(self, node: Node, key: str | None) -> GraphQLError:
        if key is None:
            message = (
                "The document repeats its selections too often"
                f" (more than {self.budget} once its fragments are spread)."
            )
        else:
            message = (
                f"'{key}' is selected more than {self.most} times in one selection set"
                " (fragments included); select it once."
            )
        return GraphQLError(message, nodes=[node], extensions={"code": TOO_MANY_DUPLICATE_FIELDS})


def _duplicates(document: DocumentNode, most: int) -> GraphQLError | None:
    fragments: dict[str, FragmentDefinitionNode] = {}
    roots: list[SelectionSetNode] = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments[definition.name.value] = definition
        elif isinstance(definition, OperationDefinitionNode):
            roots.append(definition.selection_set)
    return _Duplicates(fragments, most, budget=WALK_BUDGET).check(roots)
