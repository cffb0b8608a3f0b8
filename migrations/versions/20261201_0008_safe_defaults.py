"""safe defaults: unsubscribe tokens and request guards

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 03:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Random, expiring unsubscribe links: only the SHA-256 of a token is stored.
    op.create_table('unsubscribetoken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_unsubscribetoken_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unsubscribetoken')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_unsubscribetoken_token_hash'))
    )
    with op.batch_alter_table('unsubscribetoken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unsubscribetoken_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('unsubscribetoken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unsubscribetoken_user_id'))

    op.drop_table('unsubscribetoken')
