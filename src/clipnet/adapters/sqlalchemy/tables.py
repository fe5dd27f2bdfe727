"""The relational schema, as SQLAlchemy Core metadata shared by the adapter and the migrations.

Alembic's autogenerate compares this metadata with the migrations (a test keeps them in step),
so a change here needs a new revision under ``migrations/versions`` (see docs/persistence.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

#: Stable constraint names, so migrations can refer to them on every dialect.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """An instant, stored in UTC and always read back timezone-aware.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones, so the value is stored as naive
    UTC text, which also makes it sort chronologically. A naive value is taken to be UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def key_type() -> sa.types.TypeEngine[str]:
    """Text that sorts by code point, like Python strings, whatever the database's locale.

    Ids, platform users and providers are ordered and compared with ``>`` (cursors), so they
    must not follow a natural-language collation on PostgreSQL. SQLite's default is binary.
    """
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def _id(name: str = "id", **kwargs: Any) -> sa.Column[str]:
    return sa.Column(name, key_type(), nullable=False, **kwargs)


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=False)


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer(), nullable=False)


users = sa.Table(
    "users",
    metadata,
    _id(primary_key=True),
    _text("email"),
    # Python's str.lower() of the email: the unique key, identical on every dialect.
    sa.Column("email_key", key_type(), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    _text("display_name"),
    _text("password_hash"),
    _text("role"),
    _version(),
)

oauth_accounts = sa.Table(
    "oauth_accounts",
    metadata,
    _id("user_id", primary_key=True),
    _id("provider", primary_key=True),
    _id(),
    _text("provider_user_id"),
    # Sealed with the SecretBox (Fernet): a dump of this table reveals no token.
    _text("access_token_sealed"),
    _text("refresh_token_sealed"),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=True),
    sa.Column("scopes", sa.JSON(), nullable=False),
    _version(),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
)

sources = sa.Table(
    "sources",
    metadata,
    _id(primary_key=True),
    _id("owner_id", index=True),
    _text("kind"),
    _text("location"),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("duration", sa.Double(), nullable=False),
    _text("title"),
    _text("channel"),
    _text("status"),
    sa.Column("timeline", sa.JSON(), nullable=True),
    sa.Column("category", sa.Text(), nullable=False, server_default=""),
    _text("last_error"),
    _version(),
)

clips = sa.Table(
    "clips",
    metadata,
    _id(primary_key=True),
    _id("source_id", index=True),
    _id("owner_id", index=True),
    sa.Column("span_start", sa.Double(), nullable=False),
    sa.Column("span_end", sa.Double(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    _text("origin"),
    _text("title"),
    _text("template"),
    sa.Column("caption_style", sa.Text(), nullable=False, server_default=""),
    sa.Column("aspect", sa.Text(), nullable=False, server_default=""),
    sa.Column("status", sa.Text(), nullable=False, index=True),
    sa.Column("score", sa.JSON(), nullable=True),
    # The score's total, copied out of the JSON so ``min_score`` searches can use it.
    sa.Column("score_total", sa.Double(), nullable=True),
    sa.Column("transcript", sa.JSON(), nullable=True),
    sa.Column("captions", sa.JSON(), nullable=False),
    sa.Column("tags", sa.JSON(), nullable=False),
    _text("description"),
    sa.Column("hashtags", sa.JSON(), nullable=False),
    sa.Column("assets", sa.JSON(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    _text("last_error"),
    sa.Column("auto_post_eligible", sa.Boolean(), nullable=False),
    sa.Column("approved", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("history", sa.JSON(), nullable=False),
    _version(),
    # The public share page's token; NULL while the clip is not shared (unique allows many).
    sa.Column("share_token", key_type(), nullable=True, unique=True),
    sa.CheckConstraint("span_start >= 0 AND span_start < span_end", name="valid_span"),
)

votes = sa.Table(
    "votes",
    metadata,
    # The primary key is the rule "one vote per (clip, platform, platform user)".
    _id("clip_id", primary_key=True),
    _id("platform", primary_key=True),
    _id("platform_user", primary_key=True),
    sa.Column("direction", sa.SmallInteger(), nullable=False),
    sa.Column("cast_at", UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(["clip_id"], ["clips.id"], ondelete="CASCADE"),
    sa.CheckConstraint("direction IN (-1, 1)", name="valid_direction"),
)

posts = sa.Table(
    "posts",
    metadata,
    _id(primary_key=True),
    _id("clip_id", index=True),
    _text("platform"),
    sa.Column("idempotency_key", sa.Text(), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    _text("status"),
    _text("remote_id"),
    _text("url"),
    _text("last_error"),
    sa.Column("publish_at", UtcDateTime(), nullable=True),
    _version(),
    sa.ForeignKeyConstraint(["clip_id"], ["clips.id"], ondelete="CASCADE"),
)

# A post's resumable upload session, kept before its first byte goes out (issue 18): the job's
# next run after a crash, in another process, finds the video through it (no second upload).
upload_sessions = sa.Table(
    "upload_sessions",
    metadata,
    sa.Column("idempotency_key", sa.Text(), primary_key=True),
    _text("session"),
    sa.Column("saved_at", UtcDateTime(), nullable=False),
)

jobs = sa.Table(
    "jobs",
    metadata,
    _id(primary_key=True),
    _text("type"),
    sa.Column("idempotency_key", sa.Text(), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    _text("status"),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("max_attempts", sa.Integer(), nullable=False),
    _text("last_error"),
    sa.Column("run_after", UtcDateTime(), nullable=True),
    sa.Column("started_at", UtcDateTime(), nullable=True),
    sa.Column("finished_at", UtcDateTime(), nullable=True),
    sa.Column("dispatched", sa.Boolean(), nullable=False),
    _version(),
    # Serves both "recent jobs (in a status)" and the outbox relay's "undispatched" scan.
    sa.Index("ix_jobs_status_created_at", "status", "created_at"),
    sa.Index("ix_jobs_created_at", "created_at"),
)

# -- ClipBOT (issue 8) ----------------------------------------------------------------------------

bot_deliveries = sa.Table(
    "bot_deliveries",
    metadata,
    # The primary key is what makes a redelivered webhook have its effect once.
    _id("platform", primary_key=True),
    _id("delivery_id", primary_key=True),
    sa.Column("received_at", UtcDateTime(), nullable=False),
)

bot_channel_links = sa.Table(
    "bot_channel_links",
    metadata,
    _id("platform", primary_key=True),
    _id("channel", primary_key=True),
    _id("owner_id"),
    _id("source_id", index=True),
    sa.Column("live_since", UtcDateTime(), nullable=True),
    sa.Column("vote_threshold", sa.Integer(), nullable=True),
)

bot_clip_requests = sa.Table(
    "bot_clip_requests",
    metadata,
    _id("clip_id", primary_key=True),
    _text("platform"),
    _text("channel"),
    _text("reply_to"),
    _text("user_id"),
)

bot_sent_messages = sa.Table(
    "bot_sent_messages",
    metadata,
    sa.Column("idempotency_key", sa.Text(), primary_key=True),
    _text("message_id"),
)

bot_cooldowns = sa.Table(
    "bot_cooldowns",
    metadata,
    sa.Column("key", sa.Text(), primary_key=True),
    sa.Column("used_at", UtcDateTime(), nullable=False),
)

bot_revoked_subscriptions = sa.Table(
    "bot_revoked_subscriptions",
    metadata,
    _id("platform", primary_key=True),
    _id("subscription_id", primary_key=True),
    _text("reason"),
    sa.Column("revoked_at", UtcDateTime(), nullable=False),
)
