"""A clip's output aspect ratio, when one was asked for with it ("" = its template's).

Revision ID: 0005_clip_aspect
Revises: 0004_share_tokens
Create Date: 2026-12-02 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_clip_aspect"
down_revision: str | None = "0004_share_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("clips") as batch:
        batch.add_column(sa.Column("aspect", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("clips") as batch:
        batch.drop_column("aspect")
