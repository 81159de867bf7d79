"""Settings from the environment (prefix TRELLIS_), via pydantic-settings.

Nothing is required to start in development; production refuses to start
with the development token secret, since anyone could then mint tokens.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.read_log import DEFAULT_RETENTION_DAYS

DEVELOPMENT_SECRET = "trellis-development-secret-change-me-in-production"


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
    introspection: bool | None = Field(
        default=None, description="Schema introspection; defaults to on in development only."
    )

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
        return self

    @property
    def is_development(self) -> bool:
        return self.environment is Environment.DEVELOPMENT

    @property
    def introspection_enabled(self) -> bool:
        return self.is_development if self.introspection is None else self.introspection
