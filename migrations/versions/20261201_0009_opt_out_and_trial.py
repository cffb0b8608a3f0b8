"""opt-out and trial legal basis: when a person's suggestions were last ranked

Page views no longer rank; the scheduler ranks people whose stored ranking is missing or older
than their profile, so the profile records when its ranking started.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 03:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobseekerprofile", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "suggestions_refreshed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("jobseekerprofile", schema=None) as batch_op:
        batch_op.drop_column("suggestions_refreshed_at")
