"""Upload sessions in SQL, for every worker to see: one short transaction per call."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from clipnet.adapters.sqlalchemy import tables as t
from clipnet.adapters.sqlalchemy.database import SqlDatabase


class SqlUploadSessions:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def session_for(self, key: str) -> str | None:
        table = t.upload_sessions
        with self._db.unit_of_work() as uow:
            row = uow.one(sa.select(table.c.session).where(table.c.idempotency_key == key))
        return str(row["session"]) if row is not None else None

    def remember_session(self, key: str, session: str) -> None:
        row = {"idempotency_key": key, "session": session, "saved_at": datetime.now(UTC)}
        with self._db.unit_of_work() as uow:
            uow.upsert(t.upload_sessions, row, ["idempotency_key"])
            uow.commit()
