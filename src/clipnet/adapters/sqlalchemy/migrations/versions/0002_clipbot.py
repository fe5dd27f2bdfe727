"""ClipBOT: webhook deliveries, channel links, clip requests, sent messages, cooldowns and
revoked subscriptions.

Revision ID: 0002_clipbot
Revises: 0001
Create Date: 2026-11-25 13:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_clipbot"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Ids and other ordered keys compare by code point on PostgreSQL, like Python strings.
KEY = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bot_deliveries",
        sa.Column("platform", KEY, nullable=False),
        sa.Column("delivery_id", KEY, nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("platform", "delivery_id", name=op.f("pk_bot_deliveries")),
    )
    op.create_table(
        "bot_channel_links",
        sa.Column("platform", KEY, nullable=False),
        sa.Column("channel", KEY, nullable=False),
        sa.Column("owner_id", KEY, nullable=False),
        sa.Column("source_id", KEY, nullable=False),
        sa.Column("live_since", WHEN, nullable=True),
        sa.Column("vote_threshold", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("platform", "channel", name=op.f("pk_bot_channel_links")),
    )
    op.create_index(
        op.f("ix_bot_channel_links_source_id"), "bot_channel_links", ["source_id"], unique=False
    )
    op.create_table(
        "bot_clip_requests",
        sa.Column("clip_id", KEY, nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("reply_to", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("clip_id", name=op.f("pk_bot_clip_requests")),
    )
    op.create_table(
        "bot_sent_messages",
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key", name=op.f("pk_bot_sent_messages")),
    )
    op.create_table(
        "bot_cooldowns",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("used_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_bot_cooldowns")),
    )
    op.create_table(
        "bot_revoked_subscriptions",
        sa.Column("platform", KEY, nullable=False),
        sa.Column("subscription_id", KEY, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("revoked_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "subscription_id", name=op.f("pk_bot_revoked_subscriptions")
        ),
    )


def downgrade() -> None:
    op.drop_table("bot_revoked_subscriptions")
    op.drop_table("bot_cooldowns")
    op.drop_table("bot_sent_messages")
    op.drop_table("bot_clip_requests")
    op.drop_index(op.f("ix_bot_channel_links_source_id"), table_name="bot_channel_links")
    op.drop_table("bot_channel_links")
    op.drop_table("bot_deliveries")
