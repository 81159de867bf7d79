"""schema.graphql is the exported schema, committed; it must not go stale."""

from __future__ import annotations

from pathlib import Path

from api.schema import build_schema
from api.settings import Settings

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_is_up_to_date() -> None:
    exported = build_schema(Settings()).as_str().strip()
    committed = SCHEMA_FILE.read_text(encoding="utf-8").strip()
    assert exported == committed, (
        "schema.graphql is out of date with the code: run `make schema` and commit the result"
    )


def test_schema_does_not_depend_on_the_environment() -> None:
    """Protections differ between development and production; the schema
    itself does not, so one committed file serves both."""
    production = Settings(environment="production", token_secret="x" * 40)  # type: ignore[arg-type]
    assert build_schema(production).as_str() == build_schema(Settings()).as_str()


def test_apps_share_a_schema_only_when_its_limits_agree() -> None:
    """Built once per set of limits (tests build an app per test); settings
    that shape the schema differently still get their own."""
    assert build_schema(Settings()) is build_schema(Settings(database_url="postgresql://x/y"))
    assert build_schema(Settings(max_query_depth=3)) is not build_schema(Settings())
    production = Settings(environment="production", token_secret="x" * 40)  # type: ignore[arg-type]
    assert build_schema(production) is not build_schema(Settings())
