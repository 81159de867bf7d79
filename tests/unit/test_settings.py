"""Settings: nothing needed in development, a real secret in production,
everything overridable from TRELLIS_ environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from api.settings import DEVELOPMENT_SECRET, Environment, Settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests here must not see TRELLIS_ variables of the shell running them."""
    for name in list(os.environ):
        if name.upper().startswith("TRELLIS_"):
            monkeypatch.delenv(name)


def test_development_needs_nothing() -> None:
    settings = Settings()
    assert settings.environment is Environment.DEVELOPMENT
    assert settings.is_development
    assert settings.database_url is None
    assert settings.token_secret.get_secret_value() == DEVELOPMENT_SECRET
    assert settings.introspection_enabled


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="TRELLIS_TOKEN_SECRET"):
        Settings(environment=Environment.PRODUCTION)


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(environment=Environment.PRODUCTION, token_secret=SecretStr("s" * 31))


def test_production_with_a_real_secret() -> None:
    settings = Settings(environment=Environment.PRODUCTION, token_secret=SecretStr("s" * 32))
    assert not settings.is_development
    assert not settings.introspection_enabled


def test_production_secret_check_also_applies_to_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRELLIS_ENVIRONMENT", "production")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("TRELLIS_TOKEN_SECRET", "e" * 40)
    assert Settings().environment is Environment.PRODUCTION


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRELLIS_DATABASE_URL", "postgresql+asyncpg://u:p@db:5432/trellis")
    monkeypatch.setenv("TRELLIS_DATA_DIR", "/var/lib/trellis")
    monkeypatch.setenv("TRELLIS_MAX_PAGE_SIZE", "250")
    monkeypatch.setenv("TRELLIS_MAX_QUERY_DEPTH", "7")
    monkeypatch.setenv("TRELLIS_ACCESS_TOKEN_LIFETIME", "PT5M")
    monkeypatch.setenv("TRELLIS_INTROSPECTION", "false")
    settings = Settings()
    assert settings.database_url == "postgresql+asyncpg://u:p@db:5432/trellis"
    assert settings.data_dir == Path("/var/lib/trellis")
    assert settings.max_page_size == 250
    assert settings.max_query_depth == 7
    assert settings.access_token_lifetime == timedelta(minutes=5)
    assert settings.introspection is False
    assert not settings.introspection_enabled


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRELLIS_MAX_PAGE_SIZE", "0")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.delenv("TRELLIS_MAX_PAGE_SIZE")
    with pytest.raises(ValidationError, match="default_page_size"):
        Settings(default_page_size=50, max_page_size=10)


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.max_page_size = 1  # type: ignore[misc]


def test_job_loop_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().job_interval is not None
    monkeypatch.setenv("TRELLIS_JOB_INTERVAL", "none")
    assert Settings().job_interval is None


def test_read_log_retention_defaults_to_a_year(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().read_log_retention_days == 365
    monkeypatch.setenv("TRELLIS_READ_LOG_RETENTION_DAYS", "30")
    assert Settings().read_log_retention_days == 30
    monkeypatch.setenv("TRELLIS_READ_LOG_RETENTION_DAYS", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_clients_wait_five_seconds_while_the_database_is_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().unavailable_retry_after == timedelta(seconds=5)
    monkeypatch.setenv("TRELLIS_UNAVAILABLE_RETRY_AFTER", "PT30S")
    assert Settings().unavailable_retry_after == timedelta(seconds=30)
    monkeypatch.setenv("TRELLIS_UNAVAILABLE_RETRY_AFTER", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_no_cors_origins_and_no_trusted_proxies_by_default() -> None:
    settings = Settings()
    assert settings.cors_origins == []
    assert settings.trusted_proxies == []


def test_cors_origins_and_trusted_proxies_are_comma_separated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRELLIS_CORS_ORIGINS", "https://App.example.com/, http://localhost:5173")
    monkeypatch.setenv("TRELLIS_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1")
    settings = Settings()
    assert settings.cors_origins == ["https://app.example.com", "http://localhost:5173"]
    assert settings.trusted_proxies == ["10.0.0.0/8", "127.0.0.1", "::1"]


@pytest.mark.parametrize(
    "origin", ["*", "https://*.example.com", "app.example.com", "https://app.example.com/path"]
)
def test_a_cors_origin_is_named_exactly(monkeypatch: pytest.MonkeyPatch, origin: str) -> None:
    monkeypatch.setenv("TRELLIS_CORS_ORIGINS", origin)
    with pytest.raises(ValidationError, match="TRELLIS_CORS_ORIGINS"):
        Settings()


def test_a_trusted_network_is_named_by_its_own_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn would take 10.1.2.3/8 for a host name and trust nobody."""
    monkeypatch.setenv("TRELLIS_TRUSTED_PROXIES", "10.1.2.3/8,fd00::1/64")
    assert Settings().trusted_proxies == ["10.0.0.0/8", "fd00::/64"]


@pytest.mark.parametrize("proxy", ["*", "proxy.internal", "10.0.0.0/33"])
def test_a_trusted_proxy_is_an_address_or_network(
    monkeypatch: pytest.MonkeyPatch, proxy: str
) -> None:
    monkeypatch.setenv("TRELLIS_TRUSTED_PROXIES", proxy)
    with pytest.raises(ValidationError, match="TRELLIS_TRUSTED_PROXIES"):
        Settings()
