"""A SQL database built from a URL: engine, pool, dialect set-up, migrations, units of work.

PostgreSQL (psycopg 3) serves staging and production; SQLite serves the embedded default. The
code path is the same for both: dialect differences live here and in ``dialect_insert``.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Connection, Engine, make_url

from clipnet.adapters.sqlalchemy.errors import DatabaseUnavailable, first_line, translate
from clipnet.adapters.sqlalchemy.repositories import SqlUnitOfWork
from clipnet.ports.secrets import SecretBox

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(raw: str) -> URL:
    """The URL with the driver ClipNET uses: ``postgres://`` and ``postgresql://`` mean psycopg 3.

    Raises :class:`DatabaseUnavailable` for a URL no adapter here can open.
    """
    try:
        url = make_url(raw)
    except exc.ArgumentError:
        raise DatabaseUnavailable(f"not a database URL: {raw.split('@')[-1]!r}") from None
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise DatabaseUnavailable(
            "an in-memory SQLite database cannot be shared by units of work; "
            "use sqlite:///PATH or memory://"
        )
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUnavailable(f"unsupported database {url.get_backend_name()!r}")
    return url


def describe(url: URL) -> str:
    """Where the database is, for messages: host, port and name, or the file (never a password)."""
    if url.get_backend_name() == "sqlite":
        return f"file {url.database}"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


class SqlDatabase:
    """One engine (and its connection pool) per process; a unit of work per operation.

    Thread-safe: each unit of work borrows its own connection from the pool.
    """

    def __init__(
        self,
        url: str,
        secret_box: SecretBox,
        *,
        pool_size: int = 5,
        connect_timeout: float = 5.0,
        auto_upgrade: bool | None = None,
    ) -> None:
        """``auto_upgrade``: migrate to the newest schema on first use. ``None`` (the default)
        does so for SQLite files (the embedded profile) but never for a server database, whose
        schema an operator upgrades with ``clipnet db upgrade``."""
        self.url = normalise_url(url)
        self.where = describe(self.url)
        self.dialect = self.url.get_backend_name()
        self.secret_box = secret_box
        self._auto_upgrade = self.dialect == "sqlite" if auto_upgrade is None else auto_upgrade
        self._upgrade_lock = threading.Lock()
        self._upgraded = False
        self.engine = self._create_engine(pool_size, connect_timeout)

    def _create_engine(self, pool_size: int, connect_timeout: float) -> Engine:
        options: dict[str, Any] = {
            "pool_size": pool_size,
            "max_overflow": pool_size,
            "pool_timeout": connect_timeout,
        }
        if self.dialect == "sqlite":
            return self._sqlite_engine(options, connect_timeout)
        # A pooled connection is checked before use: a restarted server costs one round trip,
        # not a failed request.
        options["pool_pre_ping"] = True
        connect_args = {
            "connect_timeout": max(1, math.ceil(connect_timeout)),
            "application_name": "clipnet",
        }
        return sa.create_engine(self.url, connect_args=connect_args, **options)

    def _sqlite_engine(self, options: dict[str, Any], busy_timeout: float) -> Engine:
        path = Path(str(self.url.database))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(f"cannot create {path.parent}: {error.strerror}") from None
        # pysqlite's own transaction handling is kept on purpose: it begins a transaction at the
        # first write, so reads before it see the latest commit (like PostgreSQL's READ
        # COMMITTED) and a writer waits for the lock (busy timeout) instead of failing on a
        # stale snapshot. Version checks on UPDATE catch the lost updates either way.
        engine = sa.create_engine(
            self.url,
            connect_args={"timeout": busy_timeout, "check_same_thread": False},
            **options,
        )
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout))
        return engine

    # -- units of work ---------------------------------------------------------------------------

    def unit_of_work(self) -> SqlUnitOfWork:
        if self._auto_upgrade and not self._upgraded:
            self._upgrade_once()
        return SqlUnitOfWork(self)

    def connect(self) -> Connection:
        """A pooled connection, or :class:`DatabaseUnavailable` naming the database."""
        try:
            return self.engine.connect()
        except exc.DBAPIError as error:
            raise translate(error, self.where) from error
        except exc.TimeoutError as error:  # every pooled connection stayed busy
            raise DatabaseUnavailable(
                f"database {self.where} is busy: no pooled connection came free in time"
            ) from error

    def dispose(self) -> None:
        """Close every pooled connection (at shutdown, or in tests)."""
        self.engine.dispose()

    # -- migrations ------------------------------------------------------------------------------

    def upgrade(self, revision: str = "head") -> None:
        """Migrate the schema up to ``revision``; a no-op when it is already there."""
        with self._migrating() as config:
            command.upgrade(config, revision)

    def downgrade(self, revision: str) -> None:
        with self._migrating() as config:
            command.downgrade(config, revision)

    def current_revision(self) -> str | None:
        """The schema's revision, or None for an empty database."""
        with self._connection() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @staticmethod
    def head_revision() -> str:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert head is not None, "the package ships at least one migration"
        return head

    def _upgrade_once(self) -> None:
        with self._upgrade_lock:
            if not self._upgraded:
                self.upgrade()
                self._upgraded = True

    @contextmanager
    def _migrating(self) -> Iterator[Config]:
        with self._connection() as connection, connection.begin():
            yield alembic_config(connection)

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        connection = self.connect()
        try:
            yield connection
        except exc.DBAPIError as error:
            raise translate(error, self.where) from error
        finally:
            connection.close()


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: the package needs no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _sqlite_pragmas(busy_timeout: float) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # WAL: readers never block the writer, nor the writer readers.
            cursor.execute("PRAGMA journal_mode=WAL")
            # NORMAL is safe with WAL (no corruption); a power cut may lose the last commits.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        finally:
            cursor.close()

    return on_connect


__all__ = ["DatabaseUnavailable", "SqlDatabase", "first_line", "normalise_url"]
