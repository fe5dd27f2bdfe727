"""OAuth tokens are sealed at rest: the stored rows (a dump) never show a token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from clipnet.adapters.crypto import FernetSecretBox, new_key
from clipnet.adapters.sqlalchemy import SqlDatabase
from clipnet.adapters.sqlalchemy.tables import oauth_accounts
from clipnet.domain.shared.platforms import Platform
from tests.builders import a_user, an_account
from tests.conftest import require_service
from tests.sql_databases import postgres_available, postgres_schema_url, sql_database, sqlite_url

ACCESS, REFRESH = "access-secret-token", "refresh-secret-token"


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
        with postgres_schema_url() as schema_url:
            yield schema_url


def save_account(db: SqlDatabase) -> None:
    with db.unit_of_work() as uow:
        if uow.users.find_by_email("user-1@example.com") is None:
            uow.users.add(a_user())
        uow.oauth_accounts.save(an_account(access_token=ACCESS, refresh_token=REFRESH))
        uow.commit()


def dump(db: SqlDatabase) -> str:
    """Every stored column of every account as text, the way a database dump shows them."""
    with db.engine.connect() as connection:
        rows = connection.execute(sa.select(oauth_accounts)).all()
    return repr([tuple(row) for row in rows])


def test_the_stored_token_columns_do_not_contain_the_tokens(url: str) -> None:
    with sql_database(url) as db:
        save_account(db)
        stored = dump(db)
        with db.unit_of_work() as uow:
            account = uow.oauth_accounts.find("user-1", Platform.TWITCH)
    assert "tw-user-1" in stored, "the dump does show the account"
    assert ACCESS not in stored and REFRESH not in stored
    assert account is not None and (account.access_token, account.refresh_token) == (
        ACCESS,
        REFRESH,
    )


def test_tokens_sealed_with_an_old_key_open_after_rotation(url: str) -> None:
    old, new = new_key(), new_key()
    with sql_database(url, FernetSecretBox([old])) as db:
        save_account(db)
    # the new key seals, the old one still opens what is stored
    rotated = FernetSecretBox([new, old])
    with sql_database(url, rotated, upgrade=False) as db, db.unit_of_work() as uow:
        account = uow.oauth_accounts.find("user-1", Platform.TWITCH)
        assert account is not None and account.access_token == ACCESS
        uow.oauth_accounts.save(account)  # re-sealed with the new key
        uow.commit()
    only_new = FernetSecretBox([new])
    with sql_database(url, only_new, upgrade=False) as db, db.unit_of_work() as uow:
        account = uow.oauth_accounts.find("user-1", Platform.TWITCH)
    assert account is not None and account.refresh_token == REFRESH


def test_tokens_do_not_open_with_a_foreign_key(url: str) -> None:
    with sql_database(url) as db:
        save_account(db)
    with (
        sql_database(url, FernetSecretBox.ephemeral(), upgrade=False) as db,
        db.unit_of_work() as uow,
        pytest.raises(ValueError, match="not valid for these keys"),
    ):
        uow.oauth_accounts.find("user-1", Platform.TWITCH)
