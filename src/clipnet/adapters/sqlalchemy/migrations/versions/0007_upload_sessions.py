"""Resumable upload sessions by post key (``upload_sessions``), so a post job run again after
its worker died finds the video it uploaded instead of making a second one.

Revision ID: 0007_upload_sessions
Revises: 0006_post_schedule_and_approval
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_upload_sessions"
down_revision: str | None = "0006_post_schedule_and_approval"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "upload_sessions",
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("session", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key", name=op.f("pk_upload_sessions")),
    )


def downgrade() -> None:
    op.drop_table("upload_sessions")
