"""The limits an operation meets before it runs, as schema extensions.

Before validation, the caps on directives and duplicated fields
(api.document_limits). After validation and before execution, the cost
(api.cost): above the maximum per operation it is refused without a
statement; otherwise it pours into its caller's budget (one statement,
domain.budgets), and over budget it is refused too. Every operation that
got that far reports its cost in the response's `extensions.cost`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension, ValidationCache

from api.cost import PageSizes, operation_cost
from api.document_limits import check_document
from domain.budgets import BudgetPolicy, Charge
from domain.services import budgets

OPERATION_TOO_COSTLY = "OPERATION_TOO_COSTLY"
RATE_LIMITED = "RATE_LIMITED"


class LimitedValidation(ValidationCache):
    """Validation (cached), unless the document breaks a cap: then it is
    refused without validating it, since validating it is what the caps
    spare."""

    def __init__(self, *, max_directives: int, max_duplicates: int, maxsize: int) -> None:
        super().__init__(maxsize=maxsize)
        self.max_directives = max_directives
        self.max_duplicates = max_duplicates

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        assert document is not None
        error = check_document(
            document, max_directives=self.max_directives, max_duplicates=self.max_duplicates
        )
        if error is None:
            yield from super().on_validate()
            return
        self.execution_context.pre_execution_errors = [error]
        yield


@dataclass(frozen=True)
class CostSettings:
    maximum: int
    budget: BudgetPolicy
    pages: PageSizes


class OperationCost(SchemaExtension):
    def __init__(self, settings: CostSettings) -> None:
        self.settings = settings
        self.cost: int | None = None
        self.charge: Charge | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        assert execution.graphql_document is not None
        self.cost = operation_cost(
            execution.schema._schema,
            execution.graphql_document,
            execution.operation_name,
            execution.variables,
            self.settings.pages,
        )
        if self.cost is not None:
            try:
                refusal = await self._refusal(self.cost)
            except Exception as error:
                # Raised here, Strawberry would show its message as it is:
                # a result lets ErrorPolicy present it as any other (and
                # tell the database being away from a bug).
                refusal = GraphQLError(str(error), original_error=error)
            if refusal is not None:
                # A result before execution: Strawberry then executes nothing.
                execution.result = ExecutionResult(data=None, errors=[refusal])
        yield

    async def _refusal(self, cost: int) -> GraphQLError | None:
        maximum = self.settings.maximum
        if cost > maximum:
            return GraphQLError(
                f"This operation costs {cost}, more than the {maximum} one operation may"
                " cost: ask for smaller pages or fewer nested lists.",
                extensions={"code": OPERATION_TOO_COSTLY, "cost": cost, "limit": maximum},
            )
        context = self.execution_context.context
        self.charge = await budgets.spend(
            context.services.budgets,
            await context.budget_subject(),
            cost,
            self.settings.budget,
            context.now,
        )
        if self.charge.admitted:
            return None
        assert self.charge.retry_after is not None
        retry_after = int(self.charge.retry_after.total_seconds())
        return GraphQLError(
            f"This operation costs {cost} and {self.charge.remaining} of your budget of"
            f" {self.charge.capacity} per minute is left: retry in {retry_after} s.",
            extensions={
                "code": RATE_LIMITED,
                "cost": cost,
                "remaining": self.charge.remaining,
                "retryAfter": retry_after,
            },
        )

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        report: dict[str, Any] = {"requested": self.cost, "limit": self.settings.maximum}
        if self.charge is not None:
            report |= {
                "budget": self.charge.capacity,
                "remaining": self.charge.remaining,
                "resetAt": self.charge.reset_at.isoformat(),
            }
        return {"cost": report}
