"""Scheduled posts (``posts.publish_at``) and a clip's approval by its owner
(``clips.approved``).

Revision ID: 0006_post_schedule_and_approval
Revises: 0005_clip_aspect
Create Date: 2026-12-02 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_post_schedule_and_approval"
down_revision: str | None = "0005_clip_aspect"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing posts went out at once (NULL); existing clips are not approved.
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("publish_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("clips") as batch:
        batch.add_column(
            sa.Column("approved", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("clips") as batch:
        batch.drop_column("approved")
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("publish_at")
