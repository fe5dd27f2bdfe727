"""Clips' public share pages: a unique, nullable share token per clip.

Revision ID: 0004_share_tokens
Revises: 0003_clip_caption_style
Create Date: 2026-12-02 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_share_tokens"
down_revision: str | None = "0003_clip_caption_style"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Ids and other ordered keys compare by code point on PostgreSQL, like Python strings.
KEY = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    # Existing clips stay private (NULL); a unique constraint allows any number of NULLs.
    with op.batch_alter_table("clips") as batch:
        batch.add_column(sa.Column("share_token", KEY, nullable=True))
        batch.create_unique_constraint(batch.f("uq_clips_share_token"), ["share_token"])


def downgrade() -> None:
    with op.batch_alter_table("clips") as batch:
        batch.drop_constraint(batch.f("uq_clips_share_token"), type_="unique")
        batch.drop_column("share_token")
