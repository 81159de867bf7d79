"""The schema: feature modules merged, protections switched on."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from api.cost import PageSizes
from api.cost_limits import CostSettings, LimitedValidation, OperationCost
from api.extensions import ErrorPolicy, ReadLogWriter
from api.graphql.agreements import AgreementsMutation
from api.graphql.auth import AuthMutation
from api.graphql.autonomy import AutonomyQuery
from api.graphql.coaching import CoachingMutation, CoachingQuery
from api.graphql.feedback import FeedbackMutation, FeedbackTemplatesQuery
from api.graphql.feedback_items import FeedbackItemsMutation
from api.graphql.goals import GoalsMutation
from api.graphql.knowledge_areas import KnowledgeAreasMutation, KnowledgeAreasQuery
from api.graphql.mentoring import MentoringMutation
from api.graphql.node import NodeQuery
from api.graphql.notifications import NotificationsMutation
from api.graphql.one_on_ones import OneOnOnesMutation
from api.graphql.organizations import OrganizationsMutation
from api.graphql.people import PeopleMutation, PeopleQuery
from api.graphql.relationships import RelationshipsMutation, RelationshipsQuery
from api.graphql.roles import RolesMutation, RolesQuery
from api.graphql.teams import TeamsMutation, TeamsQuery
from api.settings import Settings

Query = merge_types(
    "Query",
    (
        NodeQuery,
        PeopleQuery,
        TeamsQuery,
        KnowledgeAreasQuery,
        RelationshipsQuery,
        RolesQuery,
        AutonomyQuery,
        FeedbackTemplatesQuery,
        CoachingQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AuthMutation,
        PeopleMutation,
        TeamsMutation,
        KnowledgeAreasMutation,
        RelationshipsMutation,
        RolesMutation,
        NotificationsMutation,
        GoalsMutation,
        AgreementsMutation,
        OrganizationsMutation,
        FeedbackMutation,
        FeedbackItemsMutation,
        OneOnOnesMutation,
        MentoringMutation,
        CoachingMutation,
    ),
)


# Every " Did you mean ...?" graphql-core appends (fields, arguments, types,
# enum values, input fields); suggested names never contain "?".
_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Strawberry logs every error; client mistakes are not ours to log,
        and unexpected ones are logged with their traceback by ErrorPolicy.

        Strawberry's `disable_field_suggestions` only cleans unknown-field
        errors; suggested argument, type, enum value and input field names
        would still reveal the schema with introspection off, so they go too."""
        if self.config.disable_field_suggestions:
            for error in errors:
                if "Did you mean" in error.message:
                    error.message = _SUGGESTION.sub("", error.message)


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema for these settings' limits and mode.

    A schema holds no state of its own between requests (the parser and
    validation caches are module-level either way), so apps whose settings
    agree on what shapes it share one: building it takes 0.1-0.2 s, and the
    tests build an app for every test."""
    return _schema(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        max_directives=settings.max_directives,
        max_duplicates=settings.max_field_duplicates,
        cost=CostSettings(
            maximum=settings.max_operation_cost,
            budget=settings.budget_policy,
            pages=PageSizes(default=settings.default_page_size, most=settings.max_page_size),
        ),
        introspection=settings.introspection_enabled,
        suggestions=settings.is_development,
    )


@functools.cache
def _schema(
    *,
    max_depth: int,
    max_aliases: int,
    max_tokens: int,
    max_directives: int,
    max_duplicates: int,
    cost: CostSettings,
    introspection: bool,
    suggestions: bool,
) -> strawberry.Schema:
    # Factories: a fresh extension per request (the caches themselves are
    # module-level and shared). The depth and alias limiters each define a
    # validation rule class when built; built per request, every request
    # would bring new rule classes, miss the validation cache (keyed by the
    # rules) and validate its document again. So the rules are made once.
    rules = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    # Extensions finish in reverse order: ErrorPolicy shapes the answer
    # before ReadLogWriter records what it returned.
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        ReadLogWriter,
        ErrorPolicy,
        lambda: ParserCache(maxsize=512),
        lambda: LimitedValidation(
            max_directives=max_directives, max_duplicates=max_duplicates, maxsize=512
        ),
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: OperationCost(cost),
    ]
    return Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not suggestions),
    )
