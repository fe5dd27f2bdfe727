"""Throwaway SQL databases for tests: a SQLite file, or a PostgreSQL schema of its own.

Several test runs share the PostgreSQL server at once, so each database here is a fresh schema
with a random name (the URL's ``search_path`` points at it), dropped when the test is done.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from urllib.parse import quote

import psycopg

from clipnet.adapters.crypto import FernetSecretBox
from clipnet.adapters.sqlalchemy import SqlDatabase
from clipnet.adapters.sqlalchemy.tables import metadata
from clipnet.ports.secrets import SecretBox

POSTGRES_DSN = os.environ.get("CLIPNET_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@cache
def postgres_available() -> bool:
    try:
        with psycopg.connect(POSTGRES_DSN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _admin(sql: str) -> None:
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
        connection.execute(sql)


@contextmanager
def postgres_schema_url() -> Iterator[str]:
    """The URL of an empty schema of its own, dropped (with everything in it) afterwards."""
    schema = f"clipnet_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE SCHEMA "{schema}"')
    base = POSTGRES_DSN.replace("postgresql://", "postgresql+psycopg://", 1)
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        _admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'clipnet.db'}"


@contextmanager
def sql_database(
    url: str, secret_box: SecretBox | None = None, *, upgrade: bool = True, pool_size: int = 5
) -> Iterator[SqlDatabase]:
    """A database at ``url``, migrated to the newest schema unless ``upgrade`` is False."""
    db = SqlDatabase(url, secret_box or FernetSecretBox.ephemeral(), pool_size=pool_size)
    try:
        if upgrade:
            db.upgrade()
        yield db
    finally:
        db.dispose()


def empty_tables(db: SqlDatabase) -> None:
    """Delete every row (children first), leaving the schema: a fresh database, but faster."""
    with db.engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
