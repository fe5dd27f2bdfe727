"""Turning driver errors into the domain's errors, or into one clear line naming the database."""

from __future__ import annotations

from sqlalchemy import exc

from clipnet.domain.shared.errors import ConcurrencyConflict, InvalidInput, ServiceUnavailable

#: SQLite result codes (sqlite3.Error.sqlite_errorcode) that mean "someone else holds the lock".
_SQLITE_BUSY = {5, 6, 517}  # SQLITE_BUSY, SQLITE_LOCKED, SQLITE_BUSY_SNAPSHOT
#: PostgreSQL SQLSTATEs of a lost race: serialization failure, deadlock, lock not available.
_PG_RACES = ("40", "55P03")
_PG_UNDEFINED_TABLE = "42P01"


class DatabaseUnavailable(ServiceUnavailable, RuntimeError):
    """The database cannot be reached or opened (or lacks its tables). The message names it
    and holds no secret; the HTTP API answers 503 without it and logs it."""

    dependency = "database"


def first_line(error: BaseException | None) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def translate(error: exc.DBAPIError, where: str) -> Exception:
    """The exception to raise instead of ``error``, a driver error seen at database ``where``."""
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None) or ""
    sqlite_code = getattr(original, "sqlite_errorcode", None)
    if isinstance(error, exc.IntegrityError):
        return InvalidInput(f"the database refused the change: {first_line(original)}")
    if isinstance(error, exc.DataError):
        return InvalidInput(f"the database refused a value: {first_line(original)}")
    missing_sqlite_table = sqlite_code is not None and "no such table" in first_line(original)
    if sqlstate == _PG_UNDEFINED_TABLE or missing_sqlite_table:
        return DatabaseUnavailable(
            f"database {where} lacks ClipNET's tables; run `clipnet db upgrade` "
            f"({first_line(original)})"
        )
    if sqlite_code in _SQLITE_BUSY or sqlstate.startswith(_PG_RACES):
        return ConcurrencyConflict(f"a concurrent transaction won: {first_line(original)}")
    if error.connection_invalidated or isinstance(error, exc.OperationalError | exc.InterfaceError):
        return DatabaseUnavailable(f"database {where} is unavailable: {first_line(original)}")
    return error
