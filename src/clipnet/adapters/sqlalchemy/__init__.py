"""SQL persistence (SQLAlchemy 2 Core): PostgreSQL via psycopg 3, SQLite for the embedded default.

``SqlDatabase(url, secret_box)`` owns the engine; ``.unit_of_work()`` implements the port of
:mod:`clipnet.ports.repositories`; ``.upgrade()`` applies the Alembic migrations shipped here.
"""

from clipnet.adapters.sqlalchemy.database import SqlDatabase
from clipnet.adapters.sqlalchemy.errors import DatabaseUnavailable
from clipnet.adapters.sqlalchemy.repositories import SqlUnitOfWork

__all__ = ["DatabaseUnavailable", "SqlDatabase", "SqlUnitOfWork"]
