"""Alembic's environment: runs migrations on the connection ClipNET hands over.

ClipNET configures Alembic in code (``clipnet.adapters.sqlalchemy.database.alembic_config``),
so there is no alembic.ini; ``SqlDatabase.upgrade`` and ``clipnet db upgrade`` land here.
"""

from __future__ import annotations

from alembic import context

from clipnet.adapters.sqlalchemy.tables import metadata

#: Any constant: every ClipNET process that migrates PostgreSQL takes this advisory lock, so
#: two instances starting at once upgrade one after the other instead of colliding.
MIGRATION_LOCK = 0x636C6970


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("ClipNET runs migrations through SqlDatabase.upgrade, not alembic")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations()
