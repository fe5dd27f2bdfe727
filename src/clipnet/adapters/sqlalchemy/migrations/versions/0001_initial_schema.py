"""Initial schema: users, OAuth accounts, sources, clips, votes, posts and jobs.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 13:28:43.346243
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Ids and other ordered keys compare by code point on PostgreSQL, like Python strings.
KEY = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "clips",
        sa.Column("id", KEY, nullable=False),
        sa.Column("source_id", KEY, nullable=False),
        sa.Column("owner_id", KEY, nullable=False),
        sa.Column("span_start", sa.Double(), nullable=False),
        sa.Column("span_end", sa.Double(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("score", sa.JSON(), nullable=True),
        sa.Column("score_total", sa.Double(), nullable=True),
        sa.Column("transcript", sa.JSON(), nullable=True),
        sa.Column("captions", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("hashtags", sa.JSON(), nullable=False),
        sa.Column("assets", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("auto_post_eligible", sa.Boolean(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "span_start >= 0 AND span_start < span_end", name=op.f("ck_clips_valid_span")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clips")),
    )
    op.create_index(op.f("ix_clips_owner_id"), "clips", ["owner_id"], unique=False)
    op.create_index(op.f("ix_clips_source_id"), "clips", ["source_id"], unique=False)
    op.create_index(op.f("ix_clips_status"), "clips", ["status"], unique=False)
    op.create_table(
        "jobs",
        sa.Column("id", KEY, nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dispatched", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_jobs_idempotency_key")),
    )
    op.create_index("ix_jobs_created_at", "jobs", ["created_at"], unique=False)
    op.create_index("ix_jobs_status_created_at", "jobs", ["status", "created_at"], unique=False)
    op.create_table(
        "sources",
        sa.Column("id", KEY, nullable=False),
        sa.Column("owner_id", KEY, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration", sa.Double(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("timeline", sa.JSON(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
    )
    op.create_index(op.f("ix_sources_owner_id"), "sources", ["owner_id"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", KEY, nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("email_key", KEY, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email_key", name=op.f("uq_users_email_key")),
    )
    op.create_table(
        "oauth_accounts",
        sa.Column("user_id", KEY, nullable=False),
        sa.Column("provider", KEY, nullable=False),
        sa.Column("id", KEY, nullable=False),
        sa.Column("provider_user_id", sa.Text(), nullable=False),
        sa.Column("access_token_sealed", sa.Text(), nullable=False),
        sa.Column("refresh_token_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_oauth_accounts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "provider", name=op.f("pk_oauth_accounts")),
    )
    op.create_table(
        "posts",
        sa.Column("id", KEY, nullable=False),
        sa.Column("clip_id", KEY, nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("remote_id", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clip_id"], ["clips.id"], name=op.f("fk_posts_clip_id_clips"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_posts_idempotency_key")),
    )
    op.create_index(op.f("ix_posts_clip_id"), "posts", ["clip_id"], unique=False)
    op.create_table(
        "votes",
        sa.Column("clip_id", KEY, nullable=False),
        sa.Column("platform", KEY, nullable=False),
        sa.Column("platform_user", KEY, nullable=False),
        sa.Column("direction", sa.SmallInteger(), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("direction IN (-1, 1)", name=op.f("ck_votes_valid_direction")),
        sa.ForeignKeyConstraint(
            ["clip_id"], ["clips.id"], name=op.f("fk_votes_clip_id_clips"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("clip_id", "platform", "platform_user", name=op.f("pk_votes")),
    )


def downgrade() -> None:
    op.drop_table("votes")
    op.drop_index(op.f("ix_posts_clip_id"), table_name="posts")
    op.drop_table("posts")
    op.drop_table("oauth_accounts")
    op.drop_table("users")
    op.drop_index(op.f("ix_sources_owner_id"), table_name="sources")
    op.drop_table("sources")
    op.drop_index("ix_jobs_status_created_at", table_name="jobs")
    op.drop_index("ix_jobs_created_at", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index(op.f("ix_clips_status"), table_name="clips")
    op.drop_index(op.f("ix_clips_source_id"), table_name="clips")
    op.drop_index(op.f("ix_clips_owner_id"), table_name="clips")
    op.drop_table("clips")
