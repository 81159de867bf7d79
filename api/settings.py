"""Settings from the environment (prefix TRELLIS_), via pydantic-settings.

Nothing is required to start in development; production refuses to start
with the development token secret, since anyone could then mint tokens.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.budgets import BudgetPolicy
from domain.read_log import DEFAULT_RETENTION_DAYS

DEVELOPMENT_SECRET = "trellis-development-secret-change-me-in-production"
# An origin as browsers send it: scheme, host and an optional port, no path.
ORIGIN = re.compile(r"^https?://[^\s/?#*]+/?$")


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRELLIS_", frozen=True, env_parse_none_str="none")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str | None = Field(
        default=None,
        description="postgresql+asyncpg://... ; without it an embedded PostgreSQL is started.",
    )
    data_dir: Path = Field(default=Path(".trellis"), description="Embedded database and files.")
    database_name: str = Field(
        default="trellis", pattern=r"^[a-z_][a-z0-9_]{0,62}$", description="Embedded database name."
    )
    database_pool_size: int = Field(default=10, ge=1, le=200)
    unavailable_retry_after: timedelta = Field(
        default=timedelta(seconds=5),
        ge=timedelta(seconds=1),
        description="How long clients are told to wait (Retry-After) while the database is away.",
    )

    token_secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    token_issuer: str = "trellis"
    access_token_lifetime: timedelta = timedelta(minutes=15)
    refresh_token_lifetime: timedelta = timedelta(days=30)
    invitation_lifetime: timedelta = timedelta(days=7)
    password_reset_lifetime: timedelta = Field(
        default=timedelta(hours=1),
        gt=timedelta(0),
        description="How long a mailed password reset token works.",
    )
    password_hash_concurrency: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="Password hashes computed at once (in threads, off the event loop); "
        "defaults to the number of CPUs.",
    )

    migrate_on_start: bool | None = Field(
        default=None, description="Migrate when serving starts; defaults to on in development."
    )
    job_interval: timedelta | None = Field(
        default=timedelta(minutes=5),
        description="How often the server runs reminders; null leaves it to `trellis run-jobs`.",
    )

    read_log_retention_days: int = Field(
        default=DEFAULT_RETENTION_DAYS,
        ge=1,
        description="How many days the read log keeps who read what; the job pass removes older.",
    )

    max_page_size: int = Field(default=100, ge=1)
    default_page_size: int = Field(default=20, ge=1)
    max_query_depth: int = Field(default=12, ge=1)
    max_aliases: int = Field(default=30, ge=1)
    max_tokens: int = Field(default=5000, ge=100)
    max_request_bytes: int = Field(default=256 * 1024, ge=1024)
    max_directives: int = Field(
        default=4, ge=1, description="Directives on one field, fragment or operation, at most."
    )
    max_field_duplicates: int = Field(
        default=10,
        ge=1,
        description="Times one field may be selected in one selection set, fragments included.",
    )
    max_operation_cost: int = Field(
        default=10_000, ge=1, description="The cost of one operation, at most (api.cost)."
    )
    cost_budget_per_minute: int = Field(
        default=60_000,
        ge=1,
        description="Cost each person (or client address) may spend per minute, a leaky bucket.",
    )
    introspection: bool | None = Field(
        default=None, description="Schema introspection; defaults to on in development only."
    )

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Browser origins allowed to call the API (comma-separated); none by default.",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks of proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed (comma-separated); none by default.",
    )

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        """Each origin by name: an allow-list with "*" would allow anyone."""
        for origin in origins:
            if not ORIGIN.match(origin):
                raise ValueError(
                    f"TRELLIS_CORS_ORIGINS: {origin!r} is not an origin like https://app.example.com"
                )
        return [origin.rstrip("/").lower() for origin in origins]

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, proxies: list[str]) -> list[str]:
        """Each as uvicorn's ProxyHeadersMiddleware reads it: a network by its
        own address (10.1.2.3/8 is 10.0.0.0/8), which it would otherwise take
        for a host name and never trust."""
        normalized = []
        for proxy in proxies:
            try:
                network = ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(
                    f"TRELLIS_TRUSTED_PROXIES: {proxy!r} is not an IP address or network"
                ) from None
            normalized.append(str(network) if "/" in proxy else str(network.network_address))
        return normalized

    @model_validator(mode="after")
    def _production_needs_real_secret(self) -> Settings:
        if self.environment is Environment.PRODUCTION:
            secret = self.token_secret.get_secret_value()
            if secret == DEVELOPMENT_SECRET or len(secret) < 32:
                raise ValueError(
                    "TRELLIS_TOKEN_SECRET must be set to a random value of at least 32 "
                    "characters in production"
                )
        if self.default_page_size > self.max_page_size:
            raise ValueError("default_page_size cannot exceed max_page_size")
        if self.max_operation_cost > self.cost_budget_per_minute:
            raise ValueError(
                "max_operation_cost cannot exceed cost_budget_per_minute: an operation"
                " of the maximum cost could never run"
            )
        return self

    @property
    def is_development(self) -> bool:
        return self.environment is Environment.DEVELOPMENT

    @property
    def budget_policy(self) -> BudgetPolicy:
        return BudgetPolicy(capacity=self.cost_budget_per_minute)

    @property
    def introspection_enabled(self) -> bool:
        return self.is_development if self.introspection is None else self.introspection
